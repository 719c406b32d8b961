# azd preprovision hook (azure.yaml, windows). Flex Consumption needs the Microsoft.App resource
# provider, and ARM registers a provider only for resource types a template declares: this one
# declares none of Microsoft.App's, so a subscription that never ran Flex fails without this.
# Idempotent: a provider that is already Registered is left alone, so no register permission is
# needed then. Uses the Azure CLI (`az login`), on the subscription azd deploys to.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$providers = @('Microsoft.App')

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine('preprovision: the Azure CLI (az) is needed to check resource provider registration.')
    [Console]::Error.WriteLine("Install it and run 'az login', or register once by hand:")
    [Console]::Error.WriteLine('  az provider register --namespace Microsoft.App --wait')
    exit 1
}

# azd exports the environment's values to hooks; az's own default subscription may be another one.
$subscriptionArgs = @()
if ($env:AZURE_SUBSCRIPTION_ID) {
    $subscriptionArgs = @('--subscription', $env:AZURE_SUBSCRIPTION_ID)
} else {
    Write-Host "AZURE_SUBSCRIPTION_ID is not set: using the Azure CLI's default subscription."
}

foreach ($namespace in $providers) {
    $state = az provider show --namespace $namespace @subscriptionArgs --query registrationState --output tsv
    if ($LASTEXITCODE -ne 0) {
        [Console]::Error.WriteLine("preprovision: 'az provider show --namespace $namespace' failed; is the Azure CLI signed in (az login)?")
        exit 1
    }
    if ($state -eq 'Registered') {
        Write-Host "Resource provider $namespace is registered."
        continue
    }
    Write-Host "Registering resource provider $namespace (state: $state); this can take a few minutes..."
    az provider register --namespace $namespace @subscriptionArgs --wait
    if ($LASTEXITCODE -ne 0) {
        [Console]::Error.WriteLine("preprovision: registering $namespace failed.")
        exit 1
    }
    Write-Host "Resource provider $namespace is registered."
}
exit 0
