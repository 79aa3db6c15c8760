/**
 * JVM flags shared by the brokers and MirrorMaker 2, chosen for a small shared box (2 cores) where
 * the JVMs compete with the apps for CPU. Measured in docs/benchmarks.md ("JVM flags").
 * - `TieredStopAtLevel=1`: C1 only. Under load C2's compiler thread kept taking 10–20 % of a core
 *   per broker for minutes after start; C1 code is slower per request, but these loads are small.
 * - `ActiveProcessorCount=1`: sizes the GC, compiler and common-pool threads for one CPU, so a JVM
 *   does not start a thread per core that then waits for the same two cores as everything else.
 */
export const SMALL_BOX_JVM_OPTS = [
  '-XX:TieredStopAtLevel=1',
  '-XX:ActiveProcessorCount=1',
  '-XX:+UseG1GC',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
] as const;
