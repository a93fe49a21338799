// Preloaded into every process of the stack by `BENCH_PROFILE=1 npm run bench`
// (NODE_OPTIONS="--require …"; Node refuses --cpu-prof there): records a V8 CPU profile from
// start-up and writes it to $BENCH_PROFILE_DIR/<title>-<pid>.cpuprofile when the process exits.
const inspector = require("node:inspector");
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  process.once("exit", () => {
    // An in-process session answers synchronously, so this runs before the process is gone.
    session.post("Profiler.stop", (error, result) => {
      if (error) return;
      const name = `${process.argv.slice(1).join(" ").replace(/[^a-z0-9]+/gi, "_").slice(-60)}-${process.pid}.cpuprofile`;
      writeFileSync(join(dir, name), JSON.stringify(result.profile));
    });
  });
}
