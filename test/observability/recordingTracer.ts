/**
 * A tracer that keeps every span it ended, for tests that check parents and attributes
 * without an OpenTelemetry backend.
 *
 * @example
 * const { tracer, ended } = recordingTracer();
 * yield* program.pipe(Effect.withTracer(tracer));
 * ended.map((span) => span.name);
 */
import { Tracer } from "effect";

export const recordingTracer = () => {
  const ended: Array<Tracer.Span> = [];
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options);
      const end = span.end.bind(span);
      span.end = (endTime, exit) => {
        end(endTime, exit);
        ended.push(span);
      };
      return span;
    },
  });
  return { tracer, ended };
};
