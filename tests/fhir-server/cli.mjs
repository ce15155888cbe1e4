// What every local server's command line does alike (server.mjs, auth.mjs, static.mjs,
// partner.mjs): listen and say where, stop at once on a listen error, close cleanly on SIGTERM or
// SIGINT (open keep-alive connections too, so a test run's servers never linger), and run `main`
// only when the file is the command, not when a test imports it.
import { fileURLToPath } from 'node:url';

/** Listens `server` on `host`:`port`, then calls `listening(server)`; closes it on a signal. */
export function serve(server, { host, port }, listening) {
  server.listen(Number(port), host, () => listening(server));
  server.on('error', (err) => {
    console.error(`cannot listen on ${host}:${port}: ${err.message}`);
    process.exit(1);
  });
  stopOnSignal([server], 1000);
}

/** Closes `servers` (and their connections) on SIGTERM or SIGINT, exiting within `graceMs`. */
export function stopOnSignal(servers, graceMs) {
  const stop = () => {
    let open = servers.length;
    for (const server of servers) {
      server.close(() => {
        open -= 1;
        if (open === 0) process.exit(0);
      });
      server.closeAllConnections();
    }
    setTimeout(() => process.exit(0), graceMs).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Runs `main` if `moduleUrl` (the caller's `import.meta.url`) is the command being run. */
export function runIfMain(moduleUrl, main) {
  if (process.argv[1] && fileURLToPath(moduleUrl) === process.argv[1]) {
    main().catch((err) => {
      console.error(err.message ?? err);
      process.exit(1);
    });
  }
}
