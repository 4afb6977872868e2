// The token of an emailed link travels in the URL fragment (`#token=…`), which browsers never send
// to a server, so it stays out of every access log. Pages read it once, then take it off the address
// bar and the history.

export function readLinkToken(location: Location = window.location): string {
  return new URLSearchParams(location.hash.replace(/^#/, "")).get("token") ?? "";
}

export function forgetLinkToken(location: Location = window.location, history: History = window.history): void {
  if (location.hash) history.replaceState(history.state, "", location.pathname + location.search);
}
