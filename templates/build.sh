#!/usr/bin/env bash
# Builds the jar, then the Dataflow flex template (image and spec); see the usage below.
set -euo pipefail
# shellcheck source=templates/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# What the launcher runs; a test checks it names the flex template's entry point.
MAIN_CLASS=io.chalkstream.cli.FlexTemplateMain
JAR="$CS_ROOT/pipeline/target/chalkstream-dataflow.jar"
# What the Dataflow jar must not carry: the simulator and bench (local modules) and DuckDB with
# its native libraries for every platform (a Dataflow job writes BigQuery).
FORBIDDEN='^(io/chalkstream/(simulator|local|bench)/|org/duckdb/|libduckdb)'

usage="usage: templates/build.sh [--dry-run] [--jar-only | TEMPLATE_SPEC IMAGE]

Builds pipeline/target/chalkstream-dataflow.jar (mvn -P dataflow-jar package of the pipeline
module without the tests: run mvn -B test first) and checks that it carries neither the simulator
nor DuckDB, then the flex template with Cloud Build: the image IMAGE (an Artifact Registry path, e.g.
REGION-docker.pkg.dev/PROJECT/chalkstream/chalkstream:latest) from the Dataflow Java 17
launcher base image with the jar and the main class $MAIN_CLASS,
and the template spec TEMPLATE_SPEC (gs://BUCKET/templates/chalkstream.json) with
templates/metadata.json. Without arguments it takes CHALKSTREAM_TEMPLATE_SPEC and
CHALKSTREAM_IMAGE from the environment (templates/setup.sh prints both).
CHALKSTREAM_BASE_IMAGE replaces the base image: JAVA17 (the default) is the latest Java 17
launcher; gcr.io/dataflow-templates-base/java17-template-launcher-base:TAG pins one.
--jar-only stops after the jar and its check (no Google Cloud needed).
--dry-run prints the commands instead of running them."

JAR_ONLY=false
cs_option() {
  case "$1" in
    --jar-only) JAR_ONLY=true ;;
    *) return 1 ;;
  esac
}

# The jar's size, or a failure naming the entries it must not carry.
check_jar() {
  local forbidden
  forbidden="$(jar tf "$JAR" | grep -E "$FORBIDDEN" | head -n 5 || true)"
  if [ -n "$forbidden" ]; then
    cs_fail "$JAR carries what only local runs need (the simulator, the bench or DuckDB):" \
      "$forbidden"$'\n'"keep them out of the pipeline module's compile dependencies"
  fi
  cs_note "$JAR: $(($(stat -c %s "$JAR") / 1048576)) MiB, no simulator, no DuckDB."
}

build_jar() {
  cs_run mvn -B -q -f "$CS_ROOT/pom.xml" -P dataflow-jar -pl pipeline -am -DskipTests package
  if ! $DRY_RUN; then
    [ -f "$JAR" ] \
      || cs_fail "the build left no $JAR; run mvn -B -P dataflow-jar -DskipTests package" \
        "and read its errors"
    check_jar
  fi
}

cs_parse "$usage" "$@"
if $JAR_ONLY; then
  [ "${#CS_ARGS[@]}" -eq 0 ] || cs_die "--jar-only takes no other argument"$'\n'"$usage"
  build_jar
  exit 0
fi
case "${#CS_ARGS[@]}" in
  2) spec="${CS_ARGS[0]}" image="${CS_ARGS[1]}" ;;
  0)
    spec="${CHALKSTREAM_TEMPLATE_SPEC:-}" image="${CHALKSTREAM_IMAGE:-}"
    if [ -z "$spec" ] || [ -z "$image" ]; then
      cs_die "give TEMPLATE_SPEC and IMAGE, or set CHALKSTREAM_TEMPLATE_SPEC and" \
        "CHALKSTREAM_IMAGE (templates/setup.sh prints both)"$'\n'"$usage"
    fi
    ;;
  *) cs_die "expected TEMPLATE_SPEC IMAGE or no argument, got ${#CS_ARGS[@]}"$'\n'"$usage" ;;
esac
[[ "$spec" =~ ^gs://[a-z0-9][a-z0-9._-]*[a-z0-9]/.+\.json$ ]] \
  || cs_die "TEMPLATE_SPEC '$spec' is not a gs://BUCKET/PATH.json path"$'\n'"$usage"
[[ "$image" =~ ^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+)?$ ]] \
  || cs_die "IMAGE '$image' is not an image path such as" \
    "europe-west1-docker.pkg.dev/my-project/chalkstream/chalkstream:latest"$'\n'"$usage"
base="${CHALKSTREAM_BASE_IMAGE:-JAVA17}"

# Cloud Build runs in the project of an Artifact Registry (or gcr.io) image; else gcloud's own.
project=()
if [[ "$image" =~ ^([a-z0-9-]+-docker\.pkg\.dev|([a-z]+\.)?gcr\.io)/([a-z][a-z0-9-]{4,28}[a-z0-9])/ ]]
then
  project=(--project="${BASH_REMATCH[3]}")
fi

cs_note "Chalkstream flex template: the jar, then image $image and spec $spec."
build_jar
cs_run gcloud dataflow flex-template build "$spec" "${project[@]}" --sdk-language=JAVA \
  --image-gcr-path="$image" --flex-template-base-image="$base" --jar="$JAR" \
  --env="FLEX_TEMPLATE_JAVA_MAIN_CLASS=$MAIN_CLASS" \
  --metadata-file="$CS_ROOT/templates/metadata.json"
cs_note "Next: templates/run.sh PROJECT REGION DATASET (with CHALKSTREAM_TEMPLATE_SPEC=$spec)."
