/**
 * Waiting for a freshly started platform's projections: new ones are rebuilt at start
 * (their collections dropped), so tests wait until they follow Kafka before reading them.
 */
import { eventually } from "./testEnvironment.ts";

interface ProjectionStatus {
  readonly name: string;
  readonly status: string;
}

/**
 * Resolves once `/admin/projections` lists every named projection as live (with
 * `everyProjection`, every other one too). An answer other than 200 (a store busy at
 * start) counts as "not yet", not as a failure.
 *
 * @example
 * await projectionsLive(platform.url, adminToken, ["latest", "readings"]);
 */
export const projectionsLive = (
  baseUrl: string,
  adminToken: string,
  names: ReadonlyArray<string>,
  options: { readonly everyProjection?: boolean } = {},
): Promise<true> =>
  eventually(
    async () => {
      const response = await fetch(`${baseUrl}/admin/projections`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      if (!response.ok) return undefined;
      const { projections } = (await response.json()) as { projections: ReadonlyArray<ProjectionStatus> };
      const isLive = (projection: ProjectionStatus) => projection.status === "live";
      const named = projections.filter((projection) => names.includes(projection.name));
      const ready =
        named.length === names.length &&
        named.every(isLive) &&
        (options.everyProjection !== true || projections.every(isLive));
      return ready ? true : undefined;
    },
    { what: `the projections ${names.join(", ")} to be live`, timeoutMs: 60_000, intervalMs: 200 },
  );
