import { describe, expect, it } from "@effect/vitest";
import { boundedBody, declaredLengthExceeds, nextHop } from "./responseLimits.ts";

describe("response size limit", () => {
  it("given chunks within the limit, when added, then all are kept in order", () => {
    const body = boundedBody(6);
    expect(body.add(new Uint8Array([1, 2, 3]))).toBe(true);
    expect(body.add(new Uint8Array([4, 5, 6]))).toBe(true);
    expect([...body.bytes()]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("given a chunk that would pass the limit, when added, then it is refused and the size stays", () => {
    const body = boundedBody(4);
    body.add(new Uint8Array(3));
    expect(body.add(new Uint8Array(2))).toBe(false);
    expect(body.size).toBe(3);
  });

  it("given a declared length, when it is over the limit, then it is refused before reading", () => {
    expect(declaredLengthExceeds("2000", 1000)).toBe(true);
    expect(declaredLengthExceeds("1000", 1000)).toBe(false);
    expect(declaredLengthExceeds("lots", 1000)).toBe(false);
    expect(declaredLengthExceeds(undefined, 1000)).toBe(false);
  });
});

describe("redirect hops", () => {
  const hop = {
    url: new URL("https://a.example/start"),
    method: "POST",
    headers: { authorization: "Bearer k", "x-api-key": "k", accept: "application/json", "content-type": "x" },
    body: "{}",
  };

  it("given a 302 to another origin after a POST, when followed, then it is a GET without secrets or body", () => {
    const next = nextHop(hop, 302, "https://b.example/next");
    expect(typeof next).toBe("object");
    if (typeof next === "string") return;
    expect(next.url.href).toBe("https://b.example/next");
    expect(next.method).toBe("GET");
    expect(next.headers).toEqual({ accept: "application/json" });
    expect(next.body).toBeUndefined();
  });

  it("given a 307 on the same origin, when followed, then method, body and headers stay", () => {
    const next = nextHop(hop, 307, "/again");
    if (typeof next === "string") throw new Error(next);
    expect(next.url.href).toBe("https://a.example/again");
    expect(next.method).toBe("POST");
    expect(next.body).toBe("{}");
    expect(Object.keys(next.headers)).toHaveLength(4);
  });

  it("given a downgrade to http or another scheme, when followed, then it is refused", () => {
    expect(nextHop(hop, 302, "http://a.example/")).toBe("redirect from https to http refused");
    expect(nextHop(hop, 302, "file:///etc/passwd")).toBe("redirect to scheme file: refused");
  });
});
