// Names of the cookies openbeat sets. None tracks anyone: each is needed for a form or a session.
export const SESSION_COOKIE = "ob_session";
export const ANONYMOUS_CSRF_COOKIE = "ob_csrf";
export const DRAFT_COOKIE = "ob_draft";
/** Set when a report is sent, holding only "1": Back from "Report sent" then says it was sent. */
export const SENT_COOKIE = "ob_sent";
/** Set at sign-in: lets the browser skip the queue that failed sign-ins to the same email wait in. */
export const DEVICE_COOKIE = "ob_device";
