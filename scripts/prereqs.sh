#!/usr/bin/env bash
# Checks (and, as root, installs through apt) what the demo and the tests need:
#   the .NET SDK, a JDK, Apache ZooKeeper 3.8 (Debian's jars), and for the interop tests and benchmarks
#   Apache Curator 5.4 and kazoo. Usage: scripts/prereqs.sh [--tests]
set -euo pipefail

want_tests=0
[[ "${1:-}" == "--tests" ]] && want_tests=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK ('dotnet') is not on PATH; install it (https://dot.net) and run this again." >&2
  exit 2
fi

need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
[[ -f /usr/share/java/zookeeper.jar || -n "${ZOOKEEPER_HOME:-}" ]] || need+=(zookeeper)
[[ -f /usr/share/java/netty-codec.jar || -n "${ZOOKEEPER_HOME:-}" ]] || need+=(libnetty-java)
if [[ $want_tests == 1 ]]; then
  command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
  [[ -f /usr/share/java/curator-recipes.jar ]] || need+=(libcurator-recipes-java)
  [[ -f /usr/share/java/curator-x-discovery.jar ]] || need+=(libcurator-discovery-java)
  [[ -f /usr/share/java/slf4j-simple.jar ]] || need+=(libslf4j-java)
fi

if [[ ${#need[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing missing Debian packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
else
  echo "error: missing Debian packages: ${need[*]}" >&2
  echo "       install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 2
fi
