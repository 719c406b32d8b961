/** A string literal for a Table Storage filter: quoted, with single quotes doubled (OData). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
