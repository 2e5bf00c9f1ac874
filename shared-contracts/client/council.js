#!/usr/bin/env node
// The `council` command. A committed launcher, so npm can link it before dist/ is built.
try {
  await import('./dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli.js')) throw error;
  process.stderr.write("council: @council/client is not built yet: run 'npm run build' at the repository root\n");
  process.exit(1);
}
