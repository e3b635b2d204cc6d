import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `vite dev` runs the UI alone: GraphQL goes to an API started with `npm start` (port 3000 by default).
const api = process.env.KEYTURN_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [sveltekit()],
  server: { proxy: { '/graphql': { target: api, changeOrigin: false } } },
});
