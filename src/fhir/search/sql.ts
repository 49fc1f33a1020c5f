/** A SQL fragment with `?` placeholders and its bindings (knex.raw style). */
export class Sql {
  constructor(
    readonly text: string,
    readonly values: readonly unknown[] = [],
  ) {}
}

/** Template tag: interpolated Sql fragments are inlined, any other value becomes a `?` binding. */
export function sql(strings: TemplateStringsArray, ...vals: unknown[]): Sql {
  let text = strings[0];
  const values: unknown[] = [];
  vals.forEach((v, i) => {
    if (v instanceof Sql) {
      text += v.text;
      values.push(...v.values);
    } else {
      text += '?';
      values.push(v);
    }
    text += strings[i + 1];
  });
  return new Sql(text, values);
}

/** Joins fragments with a separator (`' AND '`, `' OR '`, `', '`). */
export function join(parts: Sql[], sep: string): Sql {
  return new Sql(parts.map((p) => p.text).join(sep), parts.flatMap((p) => [...p.values]));
}

/** Trusted literal SQL (identifiers we generated, never user input). */
export function raw(text: string): Sql {
  return new Sql(text);
}

/** `(a) OR (b)`, or FALSE for an empty list. */
export function or(parts: Sql[]): Sql {
  if (parts.length === 0) return raw('FALSE');
  if (parts.length === 1) return parts[0];
  return sql`(${join(parts.map((p) => sql`(${p})`), ' OR ')})`;
}

/** `(a) AND (b)`, or TRUE for an empty list. */
export function and(parts: Sql[]): Sql {
  if (parts.length === 0) return raw('TRUE');
  if (parts.length === 1) return parts[0];
  return sql`(${join(parts.map((p) => sql`(${p})`), ' AND ')})`;
}

/** Escapes LIKE wildcards in a user value. */
export function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
