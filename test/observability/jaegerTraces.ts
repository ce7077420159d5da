/**
 * Reads traces back from Jaeger's query API (GET /api/traces) as plain spans with their
 * service, parent and tags, and describes the chains tests expect, so a test states
 * "this span, in this service, under that one" and the helper finds or explains it.
 */

export interface TraceSpan {
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly name: string;
  readonly service: string;
  readonly tags: Readonly<Record<string, unknown>>;
}

export interface JaegerTrace {
  readonly traceId: string;
  readonly spans: ReadonlyArray<TraceSpan>;
}

interface RawTrace {
  readonly traceID: string;
  readonly spans: ReadonlyArray<{
    readonly spanID: string;
    readonly operationName: string;
    readonly processID: string;
    readonly references: ReadonlyArray<{ readonly refType: string; readonly spanID: string }>;
    readonly tags: ReadonlyArray<{ readonly key: string; readonly value: unknown }>;
  }>;
  readonly processes: Readonly<Record<string, { readonly serviceName: string }>>;
}

const toTrace = (raw: RawTrace): JaegerTrace => ({
  traceId: raw.traceID,
  spans: raw.spans.map((span) => ({
    spanId: span.spanID,
    parentId: span.references.find((reference) => reference.refType === "CHILD_OF")?.spanID,
    name: span.operationName,
    service: raw.processes[span.processID]?.serviceName ?? "?",
    tags: Object.fromEntries(span.tags.map((tag) => [tag.key, tag.value])),
  })),
});

/**
 * Traces of `service` whose spans carry all `tags` (Jaeger's own search).
 *
 * @example
 * const [trace] = await findTraces(queryUrl, "anansky-worker", { "messaging.message.id": eventId });
 */
export const findTraces = async (
  queryUrl: string,
  service: string,
  tags: Readonly<Record<string, string>>,
): Promise<ReadonlyArray<JaegerTrace>> => {
  const query = new URLSearchParams({ service, tags: JSON.stringify(tags), lookback: "1h", limit: "20" });
  const response = await fetch(`${queryUrl}/api/traces?${query}`);
  if (!response.ok) return [];
  const body = (await response.json()) as { data: ReadonlyArray<RawTrace> | null };
  return (body.data ?? []).map(toTrace);
};

/** One expected span: its service and name, and optionally the expected parent's. */
export interface ExpectedSpan {
  readonly service: string;
  readonly name: string | RegExp;
  /** The parent's service and name. */
  readonly under?: { readonly service: string; readonly name: string | RegExp } | undefined;
  /** An ancestor's service and name (any level up): for spans of code the test does not own. */
  readonly within?: { readonly service: string; readonly name: string | RegExp } | undefined;
  /** Tags the span must carry with these values. */
  readonly tags?: Readonly<Record<string, unknown>> | undefined;
}

const matches = (span: TraceSpan, expected: { service: string; name: string | RegExp }) =>
  span.service === expected.service &&
  (typeof expected.name === "string" ? span.name === expected.name : expected.name.test(span.name));

const satisfies = (trace: JaegerTrace, span: TraceSpan, expected: ExpectedSpan): boolean => {
  if (!matches(span, expected)) return false;
  for (const [key, value] of Object.entries(expected.tags ?? {})) if (span.tags[key] !== value) return false;
  const parentOf = (child: TraceSpan) => trace.spans.find((candidate) => candidate.spanId === child.parentId);
  if (expected.under !== undefined) {
    const parent = parentOf(span);
    if (parent === undefined || !matches(parent, expected.under)) return false;
  }
  if (expected.within !== undefined) {
    const ancestors: Array<TraceSpan> = [];
    for (let current = parentOf(span); current !== undefined && ancestors.length < 100; current = parentOf(current)) {
      ancestors.push(current);
    }
    if (!ancestors.some((ancestor) => matches(ancestor, expected.within as ExpectedSpan))) return false;
  }
  return true;
};

/**
 * The expected spans the trace lacks (empty when it holds them all).
 *
 * @example
 * expect(missingSpans(trace, [{ service: "anansky-worker", name: /^process /, under: { service: "anansky-api", name: /^send / } }])).toEqual([]);
 */
export const missingSpans = (trace: JaegerTrace, expected: ReadonlyArray<ExpectedSpan>): ReadonlyArray<string> =>
  expected
    .filter((wanted) => !trace.spans.some((span) => satisfies(trace, span, wanted)))
    .map((wanted) => {
      const under = wanted.under === undefined ? "" : ` under ${wanted.under.service}: ${wanted.under.name}`;
      const within = wanted.within === undefined ? "" : ` within ${wanted.within.service}: ${wanted.within.name}`;
      return `${wanted.service}: ${wanted.name}${under}${within}`;
    });

/**
 * The spans as an indented tree, for failure messages.
 *
 * @example
 * console.log(renderTrace(trace));
 */
export const renderTrace = (trace: JaegerTrace): string => {
  const lines: Array<string> = [];
  const visit = (parentId: string | undefined, depth: number) => {
    for (const span of trace.spans.filter((s) => s.parentId === parentId)) {
      lines.push(`${"  ".repeat(depth)}${span.service}: ${span.name}`);
      visit(span.spanId, depth + 1);
    }
  };
  const ids = new Set(trace.spans.map((span) => span.spanId));
  for (const root of trace.spans.filter((span) => span.parentId === undefined || !ids.has(span.parentId))) {
    lines.push(`${root.service}: ${root.name}${root.parentId === undefined ? "" : " (parent not in trace)"}`);
    visit(root.spanId, 1);
  }
  return lines.join("\n");
};
