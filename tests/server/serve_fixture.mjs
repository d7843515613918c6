// Starts `qwenrt serve` for the Node tests on the tiny chat model CTest's fixture wrote, on a free
// loopback port, and stops it. CTest passes the binary and the model folder in QWENRT_BINARY and
// QWENRT_CHAT_MODEL.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

export function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test through ctest`);
  return value;
}

export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

// Polls GET /health until the server answers 200, failing at once if the process ends first.
async function waitUntilHealthy(baseUrl, child, output) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`qwenrt serve exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`qwenrt serve did not become healthy:\n${output()}`);
}

export async function startServe(extraArgs = []) {
  const port = await freePort();
  const args = ['serve', '-m', requiredEnv('QWENRT_CHAT_MODEL'), '--host', '127.0.0.1', '--port', String(port),
    '--threads', '2', ...extraArgs];
  const child = spawn(requiredEnv('QWENRT_BINARY'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(baseUrl, child, () => log);
  return {
    baseUrl,
    log: () => log,
    // SIGTERM is a graceful shutdown; its exit code is returned for the test to check.
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const [code] = await once(child, 'exit');
      clearTimeout(timer);
      return code;
    },
  };
}
