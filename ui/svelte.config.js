import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    // The API process imports `build/handler.js` and mounts it after its own routes (api/ui.ts).
    adapter: adapter({ out: 'build', precompress: false }),
    typescript: {
      config: (config) => {
        config.include.push('../e2e/**/*.ts', '../scripts/**/*.js');
        return config;
      },
    },
  },
};
