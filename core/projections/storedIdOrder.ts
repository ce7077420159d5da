/**
 * The order a MongoDB-wire store keeps string `_id`s in: by UTF-8 bytes, which is code point
 * order. JavaScript's `<` compares UTF-16 code units, which differs only where a character
 * above U+FFFF (a surrogate pair, 0xD800-0xDFFF) meets one in U+E000-U+FFFF.
 *
 * @example
 * ["b", "a", "\u{1F600}", "\uFFFD"].sort(compareStoredIds) // ["a", "b", "\uFFFD", "\u{1F600}"]
 */
export const compareStoredIds = (a: string, b: string): number => {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const left = a.charCodeAt(index);
    const right = b.charCodeAt(index);
    if (left !== right) return codePointRank(left) - codePointRank(right);
  }
  return a.length - b.length;
};

/** Surrogates (code points above U+FFFF) rank above U+E000-U+FFFF; the rest keep their unit. */
const codePointRank = (unit: number): number =>
  unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;

/**
 * The ids once each, in the store's `_id` order.
 *
 * @example
 * uniqueInIdOrder(["b", "a", "b"]) // ["a", "b"]
 */
export const uniqueInIdOrder = (ids: Iterable<string>): Array<string> => [...new Set(ids)].sort(compareStoredIds);
