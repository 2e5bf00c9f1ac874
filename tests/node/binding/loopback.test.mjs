// None mode listens on loopback only, whatever sets the addresses: each way of asking for another address makes the
// real server process exit non-zero, naming the setting, before it listens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serverDll } from '../support/server.mjs';

// Whatever the machine sets, each case says exactly which addresses the server is asked for.
const cleared = ['ASPNETCORE_URLS', 'DOTNET_URLS', 'ASPNETCORE_HTTP_PORTS', 'ASPNETCORE_HTTPS_PORTS', 'DOTNET_HTTP_PORTS', 'DOTNET_HTTPS_PORTS', 'ASPNETCORE_ENVIRONMENT'];

// A project beside the real one (same build output) whose launchSettings.json has the profiles to try.
function launchProfileProject(profiles) {
  const root = path.resolve(path.dirname(serverDll), '../../../../..');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'council-profile-'));
  const server = path.join(root, 'server/Council.Server');
  writeFileSync(path.join(dir, 'Council.Server.csproj'), `<Project>
  <PropertyGroup>
    <DirectoryBuildPropsPath>${path.join(root, 'Directory.Build.props')}</DirectoryBuildPropsPath>
    <BaseOutputPath>${server}/bin/</BaseOutputPath>
    <BaseIntermediateOutputPath>${server}/obj/</BaseIntermediateOutputPath>
  </PropertyGroup>
  <Import Project="${server}/Council.Server.csproj" />
</Project>
`);
  mkdirSync(path.join(dir, 'Properties'));
  writeFileSync(path.join(dir, 'Properties/launchSettings.json'), JSON.stringify({ profiles }));
  return dir;
}

function run({ args = [], env = {}, profile }) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !cleared.includes(k) && !k.startsWith('Kestrel__')));
  const [command, commandArgs, cwd] = profile
    ? ['dotnet', ['run', '--no-build', '--no-restore', '-c', 'Release', '--launch-profile', profile.name, '--', ...args], launchProfileProject({ [profile.name]: profile.settings })]
    : ['dotnet', [serverDll, ...args], path.dirname(serverDll)];
  const child = spawn(command, commandArgs, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...base,
      OPENROUTER_API_KEY: '', Council__OpenRouterDefaults__Enabled: 'false', DOTNET_NOLOGO: '1',
      'Logging__LogLevel__Microsoft.Hosting.Lifetime': 'Information',
      Council__Storage__Path: path.join(mkdtempSync(path.join(os.tmpdir(), 'council-bind-')), 'council.db'),
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (c) => { output += c; });
  child.stderr.on('data', (c) => { output += c; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    kill: () => child.kill('SIGKILL'),
    // Resolves with the address once the server listens (for the cases that must start), then stops it.
    async listening() {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && child.exitCode === null) {
        const match = /Now listening on: (\S+)/.exec(output);
        if (match) { child.kill('SIGTERM'); await exited; return match[1]; }
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGKILL');
      throw new Error(`did not listen:\n${output}`);
    },
  };
}

const refusals = [
  { name: '--urls', args: ['--urls', 'http://0.0.0.0:0'], setting: /by the urls setting/ },
  { name: 'ASPNETCORE_URLS', env: { ASPNETCORE_URLS: 'http://0.0.0.0:0' }, setting: /by the urls setting \(--urls, ASPNETCORE_URLS/ },
  { name: 'ASPNETCORE_HTTP_PORTS (the default in official container images)', env: { ASPNETCORE_HTTP_PORTS: '0' }, setting: /http:\/\/\*:0 by ASPNETCORE_HTTP_PORTS/ },
  { name: 'Kestrel:Endpoints:*:Url', env: { Kestrel__Endpoints__Web__Url: 'http://0.0.0.0:0' }, setting: /by Kestrel:Endpoints \(Kestrel:Endpoints:Web:Url\)/ },
  { name: "a launch profile's applicationUrl (dotnet run --launch-profile)",
    profile: { name: 'lan', settings: { commandName: 'Project', applicationUrl: 'http://+:0;http://127.0.0.1:0' } },
    setting: /listen on http:\/\/\+:0 by the urls setting/ },
  { name: "a launch profile's environmentVariables",
    profile: { name: 'ports', settings: { commandName: 'Project', environmentVariables: { ASPNETCORE_HTTP_PORTS: '0' } } },
    setting: /by ASPNETCORE_HTTP_PORTS/ },
  { name: 'a host name (Kestrel listens on every interface for it)', args: ['--urls', 'http://council.example:0'], setting: /council\.example/ },
];

for (const c of refusals) {
  test(`None mode refuses to start when ${c.name} asks for a non-loopback address`, async () => {
    const server = run(c);
    // A server that listens instead never exits by itself: give up on it after a while.
    let timer;
    const code = await Promise.race([server.exited, new Promise((r) => { timer = setTimeout(() => r('still running'), 20_000); })]);
    clearTimeout(timer);
    if (code === 'still running') server.kill();
    assert.notEqual(code, 0, server.output());
    assert.match(server.output(), /Council:Auth:Mode is None .* listens on loopback only, but it was asked to listen on/);
    assert.match(server.output(), c.setting);
    assert.match(server.output(), /Council:Auth:AllowNonLoopback/);
    assert.doesNotMatch(server.output(), /Now listening on/);
  });
}

test('Kestrel endpoints win over urls and ports: loopback endpoints start even with ASPNETCORE_HTTP_PORTS set', async () => {
  const server = run({ env: { Kestrel__Endpoints__Web__Url: 'http://127.0.0.1:0', ASPNETCORE_HTTP_PORTS: '0' } });
  assert.match(await server.listening(), /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('urls win over ASPNETCORE_HTTP_PORTS: a loopback --urls starts in a container that sets the ports', async () => {
  const server = run({ args: ['--urls', 'http://127.0.0.1:0'], env: { ASPNETCORE_HTTP_PORTS: '8080' } });
  assert.match(await server.listening(), /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('with Council:Auth:AllowNonLoopback=true the same ports start', async () => {
  const server = run({ env: { ASPNETCORE_HTTP_PORTS: '0', Council__Auth__AllowNonLoopback: 'true' } });
  assert.match(await server.listening(), /^http:\/\/(\[::\]|0\.0\.0\.0|\*|\+):\d+$/);
});
