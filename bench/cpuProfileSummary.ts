/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went: self time per
 * function, and per area (an npm package, Node's internals, a folder of this repository,
 * garbage collection, idle).
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>;
  readonly samples: ReadonlyArray<number>;
  readonly timeDeltas: ReadonlyArray<number>;
}

export interface SelfTime {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the non-idle time, in %. */
  readonly percent: number;
}

export interface ProfileSummary {
  /** Sampled time that was not idle, in ms. */
  readonly busyMs: number;
  readonly idleMs: number;
  readonly functions: ReadonlyArray<SelfTime>;
  readonly areas: ReadonlyArray<SelfTime>;
}

/**
 * Which area a script URL belongs to.
 *
 * @example
 * areaOf("file:///work/main/node_modules/effect/dist/Effect.js"); // "effect"
 * areaOf("file:///work/main/core/store/EventStoreMongo.ts"); // "core/store"
 * areaOf("node:internal/streams/readable"); // "node internals"
 */
export const areaOf = (url: string, functionName = ""): string => {
  if (url === "") return functionName.startsWith("(") ? functionName : "native / V8";
  if (url.startsWith("node:")) return "node internals";
  if (url.startsWith("wasm:")) return "wasm";
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (inPackage?.[1] !== undefined) return inPackage[1];
  const inRepository = /\/((?:core|plugins|services|observability)\/[^/]+)\//.exec(url);
  if (inRepository?.[1] !== undefined) return inRepository[1];
  return url
    .replace(/^file:\/\//, "")
    .split("/")
    .slice(-2)
    .join("/");
};

const shortLocation = (url: string, line: number): string => {
  const path = url.replace(/^file:\/\//, "");
  const inPackage = /node_modules\/(.*)$/.exec(path)?.[1];
  const inRepository = /\/((?:core|plugins|services|observability|bench)\/.*)$/.exec(path)?.[1];
  return `${inPackage ?? inRepository ?? path}:${line + 1}`;
};

const top = (totals: Map<string, number>, busyMs: number, count: number): Array<SelfTime> =>
  [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, selfMs]) => ({
      name,
      selfMs: Math.round(selfMs),
      percent: Math.round((1000 * selfMs) / busyMs) / 10,
    }));

/** Which part of the profile counts, in ms since it started (the process's start, give or take). */
export interface ProfileWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * @example
 * const summary = summarizeCpuProfile("/tmp/profiles/api.cpuprofile", 15, { fromMs: 4_000, toMs: 19_000 });
 * summary.functions[0]; // { name: "JSON.parse (native / V8)", selfMs: 812, percent: 9.4 }
 */
export const summarizeCpuProfile = (
  path: string,
  count = 15,
  window: ProfileWindow = { fromMs: 0, toMs: Number.POSITIVE_INFINITY },
): ProfileSummary => {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let atUs = 0;
  profile.samples.forEach((nodeId, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    atUs += delta;
    // Startup (module loading) and shutdown are not what the load costs: outside the window.
    if (atUs < window.fromMs * 1000 || atUs > window.toMs * 1000) return;
    selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + delta);
  });
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  for (const [nodeId, microseconds] of selfUs) {
    const frame = byId.get(nodeId)?.callFrame;
    if (frame === undefined) continue;
    const ms = microseconds / 1000;
    if (frame.functionName === "(idle)") {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const area = areaOf(frame.url, frame.functionName);
    const name =
      frame.url === ""
        ? frame.functionName.startsWith("(")
          ? frame.functionName
          : `${frame.functionName || "(anonymous)"} (${area})`
        : `${frame.functionName || "(anonymous)"} ${shortLocation(frame.url, frame.lineNumber)}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  return {
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleMs),
    functions: top(functions, busyMs, count),
    areas: top(areas, busyMs, count),
  };
};
