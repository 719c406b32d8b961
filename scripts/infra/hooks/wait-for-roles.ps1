# azd predeploy hook (azure.yaml, windows); the same as wait-for-roles.sh. The first deploy uploads
# the code package with the app's identity, through a role assignment created moments earlier, and
# Azure RBAC can take up to 10 minutes to apply it: wait until each of the app's role assignments
# (output APP_ROLE_ASSIGNMENT_IDS) exists, then until the newest is ROLE_PROPAGATION_SECONDS old.
# Settings: ROLE_WAIT_TIMEOUT_SECONDS (300), ROLE_WAIT_INTERVAL_SECONDS (10), ROLE_PROPAGATION_SECONDS (600).
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

. (Join-Path $PSScriptRoot 'az-session.ps1')
if (-not (Assert-AzSession 'predeploy')) { exit 1 }

$timeout = if ($env:ROLE_WAIT_TIMEOUT_SECONDS) { [int]$env:ROLE_WAIT_TIMEOUT_SECONDS } else { 300 }
$interval = if ($env:ROLE_WAIT_INTERVAL_SECONDS) { [int]$env:ROLE_WAIT_INTERVAL_SECONDS } else { 10 }
$settle = if ($env:ROLE_PROPAGATION_SECONDS) { [int]$env:ROLE_PROPAGATION_SECONDS } else { 600 }

if (-not $env:APP_ROLE_ASSIGNMENT_IDS) {
    [Console]::Error.WriteLine("predeploy: APP_ROLE_ASSIGNMENT_IDS is not set: run 'azd provision' first (it is a deployment output).")
    exit 1
}

$newest = [DateTimeOffset]::MinValue
foreach ($id in $env:APP_ROLE_ASSIGNMENT_IDS -split '\s+' | Where-Object { $_ }) {
    $scope = $id -replace '/providers/Microsoft\.Authorization/roleAssignments/[^/]+$', ''
    $name = ($id -split '/')[-1]
    $waited = 0
    while ($true) {
        $created = az role assignment list --scope $scope --subscription $env:AZURE_SUBSCRIPTION_ID `
            --query "[?name=='$name'].createdOn | [0]" --output tsv 2> $null
        if ($LASTEXITCODE -eq 0 -and $created) { break }
        if ($waited -ge $timeout) {
            [Console]::Error.WriteLine("predeploy: role assignment $name on $scope did not appear within ${timeout}s.")
            [Console]::Error.WriteLine("Check it with: az role assignment list --scope '$scope' --subscription $($env:AZURE_SUBSCRIPTION_ID)")
            [Console]::Error.WriteLine("then run 'azd deploy' again (ROLE_WAIT_TIMEOUT_SECONDS waits longer).")
            exit 1
        }
        Start-Sleep -Seconds $interval
        $waited += $interval
    }
    $at = [DateTimeOffset]::Parse($created, [Globalization.CultureInfo]::InvariantCulture)
    if ($at -gt $newest) { $newest = $at }
}

$age = [int]([DateTimeOffset]::UtcNow - $newest).TotalSeconds
if ($age -lt $settle) {
    $remaining = $settle - $age
    Write-Host "The app's role assignments exist; the newest is ${age}s old. Waiting ${remaining}s more for Azure RBAC to apply it"
    Write-Host "(up to ${settle}s after creation, ROLE_PROPAGATION_SECONDS) before the code package is uploaded..."
    Start-Sleep -Seconds $remaining
}
Write-Host "The app's role assignments are in place."
exit 0
