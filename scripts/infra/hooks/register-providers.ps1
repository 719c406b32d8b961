# azd preprovision hook (azure.yaml, windows). Flex Consumption needs the Microsoft.App resource
# provider, and ARM registers a provider only for resource types a template declares: this one
# declares none of Microsoft.App's, so a subscription that never ran Flex fails without this.
# Idempotent: a provider that is already Registered is left alone, so no register permission is
# needed then. Uses the Azure CLI on the subscription azd deploys to (az-session.ps1).
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$providers = @('Microsoft.App')

. (Join-Path $PSScriptRoot 'az-session.ps1')
if (-not (Assert-AzSession 'preprovision')) {
    [Console]::Error.WriteLine('Or register once by hand: az provider register --namespace Microsoft.App --wait --subscription <id>')
    exit 1
}

foreach ($namespace in $providers) {
    $state = az provider show --namespace $namespace --subscription $env:AZURE_SUBSCRIPTION_ID --query registrationState --output tsv
    if ($LASTEXITCODE -ne 0) {
        [Console]::Error.WriteLine("preprovision: 'az provider show --namespace $namespace' failed on subscription $($env:AZURE_SUBSCRIPTION_ID).")
        exit 1
    }
    if ($state -eq 'Registered') {
        Write-Host "Resource provider $namespace is registered."
        continue
    }
    Write-Host "Registering resource provider $namespace (state: $state); this can take a few minutes..."
    az provider register --namespace $namespace --subscription $env:AZURE_SUBSCRIPTION_ID --wait
    if ($LASTEXITCODE -ne 0) {
        [Console]::Error.WriteLine("preprovision: registering $namespace failed.")
        exit 1
    }
    Write-Host "Resource provider $namespace is registered."
}
exit 0
