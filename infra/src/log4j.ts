import { join } from 'node:path';

/**
 * log4j2 configuration for our JVM services: WARN and above to a rolling file in `dir`, plus one
 * logger kept at INFO for the lines that say the service started or stopped.
 */
export function log4j2Properties(dir: string, file: string, infoLogger: string): string {
  return `status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = ${join(dir, file)}
appender.file.filePattern = ${join(dir, `${file}.%i`)}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = warn
rootLogger.appenderRef.file.ref = file
logger.started.name = ${infoLogger}
logger.started.level = info
`;
}
