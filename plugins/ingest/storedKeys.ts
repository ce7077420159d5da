/**
 * Value keys may contain "." ("cpu.load"), which MongoDB-wire stores refuse in field names
 * (FerretDB rejects the whole document). Wherever value keys become field names, in event
 * payloads and read models, "." is stored as "%2E". Keys never contain "%", so the escape
 * is unambiguous; "%" and "$" are escaped too, for keys written by anything else.
 */

/**
 * The field name a value key is stored under.
 *
 * @example
 * toStoredKey("cpu.load") // "cpu%2Eload"
 */
export const toStoredKey = (key: string): string =>
  key.replace(/[%.$]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The value key a stored field name stands for.
 *
 * @example
 * fromStoredKey("cpu%2Eload") // "cpu.load"
 */
export const fromStoredKey = (stored: string): string =>
  stored.replace(/%(2E|25|24)/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)));

/**
 * A record with every key stored-escaped (`Object.fromEntries` keeps a "__proto__" key an own property).
 *
 * @example
 * toStoredRecord({ "cpu.load": 0.5 }) // { "cpu%2Eload": 0.5 }
 */
export const toStoredRecord = <V>(record: Readonly<Record<string, V>>): Record<string, V> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [toStoredKey(key), value]));

/**
 * The record a stored one stands for: the same record when no key is escaped (most are
 * not, and readers take millions of them), else a copy with the keys unescaped.
 *
 * @example
 * fromStoredRecord({ "cpu%2Eload": 0.5 }) // { "cpu.load": 0.5 }
 */
export const fromStoredRecord = <V>(record: Readonly<Record<string, V>>): Readonly<Record<string, V>> =>
  Object.keys(record).some((key) => key.includes("%"))
    ? Object.fromEntries(Object.entries(record).map(([key, value]) => [fromStoredKey(key), value]))
    : record;
