#!/bin/sh
# azd preprovision hook (azure.yaml, posix). Flex Consumption needs the Microsoft.App resource
# provider, and ARM registers a provider only for resource types a template declares: this one
# declares none of Microsoft.App's, so a subscription that never ran Flex fails without this.
# Idempotent: a provider that is already Registered is left alone, so no register permission is
# needed then. Uses the Azure CLI on the subscription azd deploys to (az-session.sh).
set -eu

providers='Microsoft.App'

. "${0%/*}/az-session.sh"
if ! require_az_session preprovision; then
  echo "Or register once by hand: az provider register --namespace Microsoft.App --wait --subscription <id>" >&2
  exit 1
fi

for namespace in $providers; do
  if ! state=$(az provider show --namespace "$namespace" --subscription "$AZURE_SUBSCRIPTION_ID" --query registrationState --output tsv); then
    echo "preprovision: 'az provider show --namespace $namespace' failed on subscription $AZURE_SUBSCRIPTION_ID." >&2
    exit 1
  fi
  if [ "$state" = "Registered" ]; then
    echo "Resource provider $namespace is registered."
    continue
  fi
  echo "Registering resource provider $namespace (state: ${state:-unknown}); this can take a few minutes..."
  az provider register --namespace "$namespace" --subscription "$AZURE_SUBSCRIPTION_ID" --wait
  echo "Resource provider $namespace is registered."
done
