/** RFC 9457 problem+json, the same error shape the Anansky API answers with. */

/**
 * @example
 * return problemResponse(400, "Invalid query", "lat must be a number from -90 to 90");
 */
export const problemResponse = (status: number, title: string, detail: string): Response =>
  new Response(JSON.stringify({ type: "about:blank", title, status, detail }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });
