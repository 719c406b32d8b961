# Sourced by the azd hooks (posix): makes sure the Azure CLI is there and signed in to the
# subscription azd deploys to. azd passes that subscription to hooks as AZURE_SUBSCRIPTION_ID; az has
# its own sign-in and default subscription, which may be another one, so every az call of a hook
# names the subscription, and a sign-in that cannot see it stops the hook with what to do.
# Usage: require_az_session <hook name>; then use "$@"-free: az ... --subscription "$AZURE_SUBSCRIPTION_ID"

require_az_session() {
  hook=$1
  if ! command -v az >/dev/null 2>&1; then
    echo "$hook: the Azure CLI (az) is needed and was not found on PATH." >&2
    echo "Install it (https://learn.microsoft.com/cli/azure/install-azure-cli), then run 'az login'." >&2
    return 1
  fi
  if [ -z "${AZURE_SUBSCRIPTION_ID:-}" ]; then
    echo "$hook: AZURE_SUBSCRIPTION_ID is not set. azd sets it for its hooks: run this through azd" >&2
    echo "(azd provision / azd deploy / azd up), or export the subscription id yourself." >&2
    return 1
  fi
  if ! az account show --subscription "$AZURE_SUBSCRIPTION_ID" --query id --output tsv >/dev/null 2>&1; then
    who=$(az account show --query user.name --output tsv 2>/dev/null || true)
    echo "$hook: the Azure CLI cannot use subscription $AZURE_SUBSCRIPTION_ID, the one azd deploys to." >&2
    if [ -n "$who" ]; then
      echo "It is signed in as $who, who cannot see that subscription (another account or tenant)." >&2
    else
      echo "It is not signed in." >&2
    fi
    echo "Run: az login${AZURE_TENANT_ID:+ --tenant $AZURE_TENANT_ID}   (the account azd uses: azd auth login --check-status)" >&2
    return 1
  fi
}
