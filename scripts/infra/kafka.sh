#!/usr/bin/env bash
# Apache Kafka (single-node KRaft) from Maven Central jars: start | stop | status | build.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

NAME=kafka
KAFKA_HOME=$ANANSKY_CACHE/kafka-$KAFKA_VERSION
DATA=$ANANSKY_STATE/kafka-data
CONF=$ANANSKY_STATE/kafka
BOOTSTRAP=127.0.0.1:$ANANSKY_KAFKA_PORT

build_kafka() {
  [ -f "$KAFKA_HOME/.complete" ] && return 0
  command -v mvn >/dev/null || die "Maven is needed to fetch the Kafka jars"
  mkdir -p "$KAFKA_HOME/lib"
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central (first run only)"
  # The log4j binding is not a transitive dependency of kafka_2.13 (slf4j 1.7 line).
  cat > "$KAFKA_HOME/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.anansky</groupId><artifactId>kafka-broker</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  mvn -B -q -Dstyle.color=never -f "$KAFKA_HOME/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/lib" || die "fetching the Kafka jars failed"
  touch "$KAFKA_HOME/.complete"
}

write_config() {
  mkdir -p "$CONF" "$DATA"
  cat > "$CONF/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ANANSKY_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$ANANSKY_KAFKA_PORT,CONTROLLER://127.0.0.1:$ANANSKY_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$ANANSKY_KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
default.replication.factor=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=24
PROPS
  cat > "$CONF/log4j2.properties" <<'LOG'
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka.server.KafkaRaftServer
logger.kafka.level = info
logger.broker.name = kafka.server.BrokerServer
logger.broker.level = info
LOG
}

# exec replaces the subshell, so a backgrounded `(exec_java ...) &` leaves java's own pid in $!.
exec_java() {
  exec java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$CONF/log4j2.properties" -cp "$KAFKA_HOME/lib/*" "$@"
}

probe() { use_node; node "$ANANSKY_ROOT/scripts/infra/kafka-probe.mjs" "$BOOTSTRAP"; }

start() {
  if [ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
    log "kafka: using KAFKA_BOOTSTRAP_SERVERS from the environment"; return 0
  fi
  if is_running $NAME; then log "kafka: already running at $BOOTSTRAP"; return 0; fi
  build_kafka
  for port in "$ANANSKY_KAFKA_PORT" "$ANANSKY_KAFKA_CONTROLLER_PORT"; do
    port_open "$port" && die "kafka: port $port is taken by another process (set ANANSKY_KAFKA_PORT / ANANSKY_KAFKA_CONTROLLER_PORT)"
  done
  rm -rf "$DATA"; write_config
  local cluster_id
  cluster_id=$( (exec_java kafka.tools.StorageTool random-uuid) | tail -n 1)
  (exec_java kafka.tools.StorageTool format -t "$cluster_id" -c "$CONF/server.properties" \
    --ignore-formatted) >"$ANANSKY_STATE/kafka-format.log" 2>&1 || die "formatting Kafka storage failed"
  log "kafka: starting $KAFKA_VERSION (KRaft) at $BOOTSTRAP"
  (exec_java kafka.Kafka "$CONF/server.properties") >"$ANANSKY_STATE/kafka.log" 2>&1 </dev/null &
  echo $! > "$(pid_file $NAME)"
  if ! wait_until 90 grep -q "Kafka Server started" "$ANANSKY_STATE/kafka.log"; then
    stop_by_pid $NAME; die "kafka did not start: see $ANANSKY_STATE/kafka.log"
  fi
  if ! wait_until 60 probe; then
    stop_by_pid $NAME; die "kafka did not pass a produce/consume round trip: see $ANANSKY_STATE/kafka.log"
  fi
  log "kafka: ready at $BOOTSTRAP"
}

status() {
  if [ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then echo "kafka: external ($KAFKA_BOOTSTRAP_SERVERS)"; return 0; fi
  if is_running $NAME; then echo "kafka: running at $BOOTSTRAP (pid $(cat "$(pid_file $NAME)"))"
  else echo "kafka: stopped"; return 1; fi
}

case "${1:-status}" in
  start) start ;;
  stop) stop_by_pid $NAME ;;
  status) status ;;
  build) build_kafka ;;
  bootstrap) echo "${KAFKA_BOOTSTRAP_SERVERS:-$BOOTSTRAP}" ;;
  *) die "usage: $0 start|stop|status|build|bootstrap" ;;
esac
