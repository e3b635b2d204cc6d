// Pages render in the browser: times are shown in the reader's own time zone and relative times
// ("expires in 3 h 12 min") count from the reader's clock. The server still resolves the session and
// applies the role guard (hooks.server.ts) before any page or page data is sent.
export const ssr = false;
