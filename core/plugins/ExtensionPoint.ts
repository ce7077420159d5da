/**
 * Extension points: how plugins extend each other without reaching into internals. The
 * declaring plugin exports the point from its public entry (`plugins/<id>/index.ts`);
 * another plugin contributes values of the point's type; the declaring plugin reads the
 * contributions at run time.
 */

/**
 * A typed extension point.
 *
 * @example
 * // plugins/alert-rules/index.ts
 * export const notifierExtensionPoint = defineExtensionPoint<Notifier>("alert-rules/notifier");
 * // another plugin's register(api):
 * api.extend(notifierExtensionPoint, slackNotifier);
 */
export interface ExtensionPoint<T> {
  readonly id: string;
  /** Phantom: carries the contribution type. */
  readonly _contribution?: (value: T) => T;
}

export const defineExtensionPoint = <T>(id: string): ExtensionPoint<T> => ({ id });

/** What the declaring plugin reads: every contribution, with who made it. */
export interface ExtensionContributions<T> {
  all(): ReadonlyArray<{ readonly pluginId: string; readonly value: T }>;
}
