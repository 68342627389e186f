// Expo's preset (what Metro uses for the app), also for jest-expo.
module.exports = function (api) {
  api.cache(true);
  return { presets: ['babel-preset-expo'] };
};
