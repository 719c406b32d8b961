# Dot-sourced by the azd hooks (windows): makes sure the Azure CLI is there and signed in to the
# subscription azd deploys to. azd passes that subscription to hooks as AZURE_SUBSCRIPTION_ID; az has
# its own sign-in and default subscription, which may be another one, so every az call of a hook
# names the subscription, and a sign-in that cannot see it stops the hook with what to do.

function Assert-AzSession([string] $Hook) {
    if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
        [Console]::Error.WriteLine("${Hook}: the Azure CLI (az) is needed and was not found on PATH.")
        [Console]::Error.WriteLine("Install it (https://learn.microsoft.com/cli/azure/install-azure-cli), then run 'az login'.")
        return $false
    }
    if (-not $env:AZURE_SUBSCRIPTION_ID) {
        [Console]::Error.WriteLine("${Hook}: AZURE_SUBSCRIPTION_ID is not set. azd sets it for its hooks: run this through azd")
        [Console]::Error.WriteLine('(azd provision / azd deploy / azd up), or set the subscription id yourself.')
        return $false
    }
    az account show --subscription $env:AZURE_SUBSCRIPTION_ID --query id --output tsv *> $null
    if ($LASTEXITCODE -ne 0) {
        $who = az account show --query user.name --output tsv 2> $null
        [Console]::Error.WriteLine("${Hook}: the Azure CLI cannot use subscription $($env:AZURE_SUBSCRIPTION_ID), the one azd deploys to.")
        if ($who) {
            [Console]::Error.WriteLine("It is signed in as $who, who cannot see that subscription (another account or tenant).")
        } else {
            [Console]::Error.WriteLine('It is not signed in.')
        }
        $tenant = if ($env:AZURE_TENANT_ID) { " --tenant $($env:AZURE_TENANT_ID)" } else { '' }
        [Console]::Error.WriteLine("Run: az login$tenant   (the account azd uses: azd auth login --check-status)")
        return $false
    }
    return $true
}
