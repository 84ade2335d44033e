#!/usr/bin/env node
// The few Docker Engine API calls the container scripts need, over $DOCKER_HOST (unix:// or tcp://), so they work with
// Docker or Podman and with neither CLI installed.
//   ping                 exit 0 when the engine answers GET /_ping within 3 s
//   kind                 prints "podman" or "docker"
//   image-exists NAME    exit 0 when the engine holds the image NAME
//   remove-labelled K=V  force-removes every container carrying label K=V, prints how many
import { request } from 'node:http';

const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';

function target() {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375) };
}

function call(method, path, timeoutMs = 3_000) {
  return new Promise((resolve, reject) => {
    const req = request({ ...target(), method, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

const [command, argument] = process.argv.slice(2);
try {
  if (command === 'ping') {
    const { status } = await call('GET', '/_ping');
    process.exit(status === 200 ? 0 : 1);
  } else if (command === 'kind') {
    const { status, body } = await call('GET', '/version');
    if (status !== 200) throw new Error(`GET /version answered ${status}`);
    const components = JSON.parse(body).Components ?? [];
    console.log(components.some((c) => /podman/i.test(c.Name ?? '')) ? 'podman' : 'docker');
  } else if (command === 'image-exists' && argument) {
    const { status } = await call('GET', `/images/${encodeURIComponent(argument)}/json`);
    process.exit(status === 200 ? 0 : 1);
  } else if (command === 'remove-labelled' && argument?.includes('=')) {
    const filters = encodeURIComponent(JSON.stringify({ label: [argument] }));
    const listed = await call('GET', `/containers/json?all=1&filters=${filters}`);
    if (listed.status !== 200) throw new Error(`listing containers answered ${listed.status}`);
    const ids = JSON.parse(listed.body).map((c) => c.Id);
    for (const id of ids) await call('DELETE', `/containers/${id}?force=1&v=1`, 30_000);
    console.log(ids.length);
  } else {
    console.error('usage: docker-api.mjs ping | kind | image-exists NAME | remove-labelled KEY=VALUE');
    process.exit(2);
  }
} catch (error) {
  if (command !== 'ping' && command !== 'image-exists')
    console.error(`docker-api: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
