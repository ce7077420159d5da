import { assert, describe, it } from "@effect/vitest";
import { compareStoredIds } from "./storedIdOrder.ts";

describe("compareStoredIds", () => {
  it("given ASCII ids, then it agrees with plain string order", () => {
    const ids = ["t|d10|2025", "t|d1|2025", "t|d1|2024", "a", "", "t|d1|2025-01-01T01"];
    assert.deepStrictEqual(ids.toSorted(compareStoredIds), ids.toSorted());
    assert.strictEqual(compareStoredIds("same", "same"), 0);
  });

  it("given a character above U+FFFF and one in U+E000-U+FFFF, then code point order wins (UTF-8 bytes, as MongoDB)", () => {
    const emoji = "\u{1F600}"; // a surrogate pair in UTF-16
    const replacement = "\uFFFD";
    assert.isTrue(emoji < replacement); // what UTF-16 code units say
    assert.isAbove(compareStoredIds(emoji, replacement), 0);
    assert.isBelow(compareStoredIds("\uD7FF", emoji), 0);
    const bytes = (id: string) => [...new TextEncoder().encode(id)];
    const byBytes = (a: string, b: string) => {
      const [left, right] = [bytes(a), bytes(b)];
      for (let i = 0; i < Math.min(left.length, right.length); i++)
        if (left[i] !== right[i]) return (left[i] ?? 0) - (right[i] ?? 0);
      return left.length - right.length;
    };
    const ids = ["b", emoji, "a\uE000", replacement, `a${emoji}`, "\u00E9", "a", "\uD7FF"];
    assert.deepStrictEqual(ids.toSorted(compareStoredIds), ids.toSorted(byBytes));
  });
});
