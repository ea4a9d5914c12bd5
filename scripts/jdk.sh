# Sourced by ./edfs and ./test: find_jdk prints the home of a JDK >= 21 (JAVA_HOME first,
# then the java on PATH, then the newest under /usr/lib/jvm), or fails.
jdk_major() {
  local release="$1/release" v
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  else
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p')
  fi
  echo "${v:-0}"
}

find_jdk() {
  local candidates=() cand
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for cand in $(ls -d /usr/lib/jvm/*/ /opt/java/*/ /opt/jdk*/ 2>/dev/null | sort -rV); do
    candidates+=("${cand%/}")
  done
  for cand in "${candidates[@]}"; do
    if [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] && [ "$(jdk_major "$cand")" -ge 21 ]; then
      echo "$cand"
      return 0
    fi
  done
  return 1
}

# Maven itself (its bundled Guava) trips JDK 23+'s warning about sun.misc.Unsafe; quiet it there.
maven_opts() {
  if [ "$(jdk_major "$1")" -ge 23 ]; then
    echo "--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS:-}"
  else
    echo "${MAVEN_OPTS:-}"
  fi
}
