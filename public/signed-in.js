// The last stop of the sign-in window that Tahto opens from inside a partner's frame
// (src/auth/session.rs `sign_in_in_window`): the authorization server's answer (code and state,
// or an error) goes to the window that opened this one, on Tahto's origin only, and the answer
// leaves this window's address at once. The frame checks the state, exchanges the code with the
// PKCE verifier it never let out, and closes this window: it is left open until then, so the
// answer is never lost in a race with the closing. After signing out in a frame, the window comes
// back here without an answer, and closes itself.
(() => {
  'use strict';
  const answer = location.search;
  history.replaceState(null, '', location.pathname);
  const show = (id) => {
    document.getElementById('tahto-signing-in').hidden = true;
    document.getElementById(id).hidden = false;
  };
  // No answer: back from signing out at the authorization server (the frame has already shown
  // its sign-in page). The window closes; where the browser keeps it open, it says so.
  if (!answer) {
    show('tahto-signed-out');
    window.close();
    return;
  }
  const opener = window.opener;
  if (opener && !opener.closed) {
    opener.postMessage({ tahtoSignIn: answer }, location.origin);
    return;
  }
  show('tahto-no-opener');
})();
