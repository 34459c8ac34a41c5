//! The browser's live connection (`/ws`) while someone is signed in: it opens from the cursor
//! the page loaded with, hands what arrives to [`Arrivals`] and the bell, and reconnects after a
//! drop (with backoff) from the last cursor it saw, so nothing is missed or shown twice.

use super::ViewerState;
use crate::notifications::arrivals::Arrivals;
use crate::notifications::model::LiveUpdate;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, WebSocket};

#[derive(Default)]
struct Live {
    connection: Option<WebSocket>,
    /// The last cursor: what the page loaded with, then what each message carried.
    cursor: String,
    /// Failed attempts in a row, for the backoff.
    failures: u32,
}

/// Keep a live connection open while someone is signed in (in the browser; nothing happens
/// while rendering on the server).
pub fn connect_live(viewer: ViewerState, arrivals: Arrivals) {
    // The connection's state is made by the effect itself (effects run only in the browser):
    // held by the render on the server, this browser-only value would be dropped on another
    // thread and bring the request down.
    Effect::new(move |held: Option<Rc<RefCell<Live>>>| {
        let live = held.unwrap_or_default();
        let cursor = match viewer.unread.get() {
            Some(Ok(Some(unread))) => Some(unread.cursor),
            _ => None,
        };
        match cursor {
            Some(cursor) => {
                let open = live.borrow().connection.is_some();
                if !open {
                    // The page's cursor only starts the first connection: later ones go on from
                    // the last message's, so nothing between the two is skipped.
                    if live.borrow().cursor.is_empty() {
                        live.borrow_mut().cursor = cursor;
                    }
                    open_socket(&live, viewer, arrivals);
                }
            }
            None => close(&live),
        }
        live
    });
}

/// Signed out: close, and forget the cursor (whoever signs in next starts from their page's).
fn close(live: &Rc<RefCell<Live>>) {
    live.borrow_mut().cursor.clear();
    if let Some(socket) = live.borrow_mut().connection.take() {
        socket.set_onclose(None);
        let _ = socket.close();
    }
}

fn open_socket(live: &Rc<RefCell<Live>>, viewer: ViewerState, arrivals: Arrivals) {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss",
        _ => "ws",
    };
    let host = location.host().unwrap_or_default();
    let url = format!("{scheme}://{host}/ws?after={}", live.borrow().cursor);
    let Ok(socket) = WebSocket::new(&url) else {
        return;
    };
    let on_message = {
        let live = live.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            let Ok(update) = serde_json::from_str::<LiveUpdate>(&text) else {
                return;
            };
            {
                let mut live = live.borrow_mut();
                live.cursor = update.cursor;
                live.failures = 0;
            }
            if !update.notifications.is_empty() {
                arrivals.arrived(update.notifications);
                viewer.notifications_changed();
            }
        })
    };
    let on_close = {
        let live = live.clone();
        Closure::<dyn FnMut()>::new(move || {
            let failures = {
                let mut state = live.borrow_mut();
                state.connection = None;
                state.failures += 1;
                state.failures
            };
            // 1, 2, 4 … 30 seconds: a server restart or a network gap is bridged, a server
            // that is down is not hammered.
            let wait = std::time::Duration::from_secs(1 << failures.min(5))
                .min(std::time::Duration::from_secs(30));
            let live = live.clone();
            set_timeout(
                move || {
                    let signed_in = matches!(viewer.unread.get_untracked(), Some(Ok(Some(_))));
                    if signed_in && live.borrow().connection.is_none() {
                        open_socket(&live, viewer, arrivals);
                    }
                },
                wait,
            );
        })
    };
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    // The handlers live as long as the page: one small pair per connection, and a handler
    // can't be freed while it runs (the close handler is what ends a connection).
    on_message.forget();
    on_close.forget();
    live.borrow_mut().connection = Some(socket);
}
