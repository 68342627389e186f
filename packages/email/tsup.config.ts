import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/smtp.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
  treeshake: true,
  // The SMTP subpath loads nodemailer, an optional peer the application installs.
  external: ['nodemailer'],
});
