#!/bin/sh
# azd predeploy hook (azure.yaml, posix). The first deploy uploads the code package with the app's
# identity, through a role assignment that provisioning created moments earlier; Azure RBAC can take
# up to 10 minutes to apply a new assignment (docs/DEPLOY.md), and a deploy inside that window fails.
# So: wait until each of the app's role assignments (output APP_ROLE_ASSIGNMENT_IDS) exists, then
# until the newest is ROLE_PROPAGATION_SECONDS old. Assignments older than that cost no wait at all.
# Settings (environment): ROLE_WAIT_TIMEOUT_SECONDS (300) for the assignments to appear,
# ROLE_WAIT_INTERVAL_SECONDS (10) between looks, ROLE_PROPAGATION_SECONDS (600).
set -eu

. "${0%/*}/az-session.sh"
require_az_session predeploy || exit 1

timeout=${ROLE_WAIT_TIMEOUT_SECONDS:-300}
interval=${ROLE_WAIT_INTERVAL_SECONDS:-10}
settle=${ROLE_PROPAGATION_SECONDS:-600}

if [ -z "${APP_ROLE_ASSIGNMENT_IDS:-}" ]; then
  echo "predeploy: APP_ROLE_ASSIGNMENT_IDS is not set: run 'azd provision' first (it is a deployment output)." >&2
  exit 1
fi

# Seconds since the epoch of an ARM time (2026-11-27T10:00:00.1234567+00:00, always UTC): GNU date,
# then BSD date (macOS).
epoch_of() {
  plain=${1%%[.+Z]*}
  date -u -d "${plain}Z" +%s 2>/dev/null || date -u -j -f '%Y-%m-%dT%H:%M:%S' "$plain" +%s
}

newest=0
for id in $APP_ROLE_ASSIGNMENT_IDS; do
  scope=${id%/providers/Microsoft.Authorization/roleAssignments/*}
  name=${id##*/}
  waited=0
  while :; do
    created=$(az role assignment list --scope "$scope" --subscription "$AZURE_SUBSCRIPTION_ID" \
      --query "[?name=='$name'].createdOn | [0]" --output tsv 2>/dev/null || true)
    if [ -n "$created" ]; then break; fi
    if [ "$waited" -ge "$timeout" ]; then
      echo "predeploy: role assignment $name on $scope did not appear within ${timeout}s." >&2
      echo "Check it with: az role assignment list --scope '$scope' --subscription $AZURE_SUBSCRIPTION_ID" >&2
      echo "then run 'azd deploy' again (ROLE_WAIT_TIMEOUT_SECONDS waits longer)." >&2
      exit 1
    fi
    sleep "$interval"
    waited=$((waited + interval))
  done
  at=$(epoch_of "$created")
  if [ "$at" -gt "$newest" ]; then newest=$at; fi
done

age=$(($(date -u +%s) - newest))
if [ "$age" -lt "$settle" ]; then
  remaining=$((settle - age))
  echo "The app's role assignments exist; the newest is ${age}s old. Waiting ${remaining}s more for Azure RBAC to apply it"
  echo "(up to ${settle}s after creation, ROLE_PROPAGATION_SECONDS) before the code package is uploaded..."
  sleep "$remaining"
fi
echo "The app's role assignments are in place."
