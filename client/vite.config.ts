import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server serves the production build from client/dist at '/'. In development, Vite proxies
// the hub and the API to a server started separately (COUNCIL_SERVER, default http://127.0.0.1:5000).
const server = process.env.COUNCIL_SERVER ?? 'http://127.0.0.1:5000';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/hubs': { target: server, ws: true, changeOrigin: true },
      '/api': { target: server, changeOrigin: true },
    },
  },
});
