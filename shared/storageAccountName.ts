/** Azure's rule for storage account names: 3-24 lowercase letters and digits (they are DNS labels). */
export function isStorageAccountName(name: string): boolean {
  return /^[a-z0-9]{3,24}$/.test(name);
}
