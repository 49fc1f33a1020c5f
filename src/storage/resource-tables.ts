/**
 * Table naming. Each resource type has one table of current versions, named exactly after the
 * type (always quoted: "Group", "List" are SQL keywords); every version of every resource also
 * lands in the shared `resource_history` table.
 */
export function currentTable(resourceType: string): string {
  if (!/^[A-Z][A-Za-z]+$/.test(resourceType)) throw new Error(`not a resource type name: ${resourceType}`);
  return resourceType;
}

export const HISTORY_TABLE = 'resource_history';
