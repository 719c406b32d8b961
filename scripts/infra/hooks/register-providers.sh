#!/bin/sh
# azd preprovision hook (azure.yaml, posix). Flex Consumption needs the Microsoft.App resource
# provider, and ARM registers a provider only for resource types a template declares: this one
# declares none of Microsoft.App's, so a subscription that never ran Flex fails without this.
# Idempotent: a provider that is already Registered is left alone, so no register permission is
# needed then. Uses the Azure CLI (`az login`), on the subscription azd deploys to.
set -eu

providers='Microsoft.App'

if ! command -v az >/dev/null 2>&1; then
  echo "preprovision: the Azure CLI (az) is needed to check resource provider registration." >&2
  echo "Install it and run 'az login', or register once by hand:" >&2
  echo "  az provider register --namespace Microsoft.App --wait" >&2
  exit 1
fi

# azd exports the environment's values to hooks; az's own default subscription may be another one.
if [ -n "${AZURE_SUBSCRIPTION_ID:-}" ]; then
  set -- --subscription "$AZURE_SUBSCRIPTION_ID"
else
  echo "AZURE_SUBSCRIPTION_ID is not set: using the Azure CLI's default subscription."
  set --
fi

for namespace in $providers; do
  if ! state=$(az provider show --namespace "$namespace" "$@" --query registrationState --output tsv); then
    echo "preprovision: 'az provider show --namespace $namespace' failed; is the Azure CLI signed in (az login)?" >&2
    exit 1
  fi
  if [ "$state" = "Registered" ]; then
    echo "Resource provider $namespace is registered."
    continue
  fi
  echo "Registering resource provider $namespace (state: ${state:-unknown}); this can take a few minutes..."
  az provider register --namespace "$namespace" "$@" --wait
  echo "Resource provider $namespace is registered."
done
