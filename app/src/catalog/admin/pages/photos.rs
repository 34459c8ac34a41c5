//! The editor's photos: the product's pictures in order (alt text, move, re-process, remove)
//! and the uploader. Files are dropped or chosen, each gets its required description, then
//! they upload two at a time, each on its own request so each shows its own progress
//! (`XMLHttpRequest`: `fetch` reports no upload progress).

use super::Editor;
use crate::catalog::admin::api::{MoveImage, RemoveImage, ReprocessImage, SaveAltText};
use crate::catalog::admin::model::EditorImage;
use crate::media::picture::Picture;
use crate::ui::{FormError, TextField, form_error};
use crate::ui::{on_success, upload_refusal};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// What the browser will send; the server checks the content itself again.
const ACCEPTED_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];
const MAX_BYTES: f64 = 25.0 * 1024.0 * 1024.0;
/// Uploads in flight at once (the server processes two at a time per node).
const PARALLEL: usize = 2;

#[component]
pub fn PhotosSection(ed: Editor) -> impl IntoView {
    let photos = Memo::new(move |_| ed.data.with(|d| d.images.clone()));
    let keyed = move || {
        photos
            .get()
            .into_iter()
            .enumerate()
            .collect::<Vec<(usize, EditorImage)>>()
    };
    view! {
        <section class="panel" aria-labelledby="photos-heading">
            <h2 id="photos-heading">"Photos"</h2>
            <p class="muted">"The first photo is the one listings show. JPEG, PNG or WebP, up to 25 MB each."</p>
            {move || photos.with(Vec::is_empty).then(|| view! {
                <p class="muted">"No photos yet: the shop draws a pack shot in the label colour until there is one."</p>
            })}
            <ol class="photo-list" data-testid="photos">
                <For
                    each=keyed
                    key=|(at, p)| (*at, p.id, p.image.hash.clone(), p.image.alt.clone(), p.avif_state.clone(), p.image.pipeline)
                    let:entry
                >
                    <PhotoRow ed at=entry.0 count=Signal::derive(move || photos.with(Vec::len)) photo=entry.1/>
                </For>
            </ol>
            <Uploader ed/>
        </section>
    }
}

#[component]
fn PhotoRow(ed: Editor, at: usize, count: Signal<usize>, photo: EditorImage) -> impl IntoView {
    let alt = ServerAction::<SaveAltText>::new();
    let alt_error = form_error(alt);
    let moved = ServerAction::<MoveImage>::new();
    let reprocess = ServerAction::<ReprocessImage>::new();
    let remove = ServerAction::<RemoveImage>::new();
    let other_error = Signal::derive(move || {
        form_error(moved)
            .get()
            .or_else(|| form_error(reprocess).get())
            .or_else(|| form_error(remove).get())
    });
    let key = format!("alt-{}", photo.id);
    {
        let key = key.clone();
        on_success(alt, move |()| ed.saved(&key));
    }
    on_success(moved, move |()| ed.refresh());
    on_success(reprocess, move |()| ed.refresh());
    on_success(remove, move |()| ed.refresh());
    let id = photo.id.to_string();
    let [id_alt, id_earlier, id_later, id_reprocess, id_remove] =
        [id.clone(), id.clone(), id.clone(), id.clone(), id];
    let avif = match photo.avif_state.as_str() {
        "done" => "AVIF and WebP",
        "failed" => "WebP only (AVIF failed; re-process to retry)",
        _ => "WebP; AVIF on its way",
    };
    let size = format!("{} × {} px", photo.image.width, photo.image.height);
    let alt_text = photo.image.alt.clone();
    let (alt_attr, alt_input_id, alt_mark_key) = (alt_text.clone(), key.clone(), key);
    view! {
        <li class="photo" data-alt=alt_attr>
            <div class="photo__thumb"><Picture image=photo.image sizes="160px"/></div>
            <div class="photo__body">
                <p class="muted">{if at == 0 { "Cover · " } else { "" }}{size}" · "{avif}</p>
                <ActionForm action=alt attr:class="form form--compact" attr:novalidate=true
                    on:input=move |_| ed.unsaved.mark(&alt_mark_key)>
                    <input type="hidden" name="image" value=id_alt/>
                    <TextField label="Description (alt text)" name="alt_text" id=alt_input_id value=alt_text error=alt_error/>
                    <button type="submit" class="button button--quiet">"Save description"</button>
                </ActionForm>
                <div class="photo__actions">
                    <ActionForm action=moved attr:class="inline-form">
                        <input type="hidden" name="image" value=id_earlier/>
                        <input type="hidden" name="direction" value="earlier"/>
                        <button type="submit" class="button button--quiet" disabled=at == 0>"Move earlier"</button>
                    </ActionForm>
                    <ActionForm action=moved attr:class="inline-form">
                        <input type="hidden" name="image" value=id_later/>
                        <input type="hidden" name="direction" value="later"/>
                        <button type="submit" class="button button--quiet" disabled=move || { at + 1 >= count.get() }>"Move later"</button>
                    </ActionForm>
                    <ActionForm action=reprocess attr:class="inline-form">
                        <input type="hidden" name="image" value=id_reprocess/>
                        <button type="submit" class="button button--quiet">"Re-process"</button>
                    </ActionForm>
                    <ActionForm action=remove attr:class="inline-form"
                        on:submit=|ev| {
                            let sure = web_sys::window()
                                .and_then(|w| w.confirm_with_message("Remove this photo from the product?").ok())
                                .unwrap_or(true);
                            if !sure {
                                ev.prevent_default();
                                ev.stop_immediate_propagation();
                            }
                        }>
                        <input type="hidden" name="image" value=id_remove/>
                        <button type="submit" class="button button--danger">"Remove"</button>
                    </ActionForm>
                </div>
                <FormError error=other_error/>
            </div>
        </li>
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UploadState {
    /// Needs its description.
    Waiting,
    /// Described; starts when a slot is free.
    Ready,
    Sending,
    /// Sent; the server is checking and resizing it.
    Processing,
    Done,
    Failed,
}

/// One chosen file in the queue. The `File` itself stays in the browser-only store.
#[derive(Clone, Debug)]
struct Queued {
    key: u32,
    name: String,
    size: f64,
    alt: RwSignal<String>,
    state: RwSignal<UploadState>,
    progress: RwSignal<f64>,
    message: RwSignal<Option<String>>,
}

#[derive(Clone, Copy)]
struct Queue {
    ed: Editor,
    items: RwSignal<Vec<Queued>>,
    files: StoredValue<Vec<(u32, web_sys::File)>, LocalStorage>,
    next_key: StoredValue<u32>,
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / (1024.0 * 1024.0))
}

impl Queue {
    fn add(self, list: &web_sys::FileList) {
        for index in 0..list.length() {
            let Some(file) = list.get(index) else {
                continue;
            };
            let key = self.next_key.get_value();
            self.next_key.set_value(key + 1);
            let refusal = if !ACCEPTED_TYPES.contains(&file.type_().as_str()) {
                Some("this is not a JPEG, PNG or WebP image".to_owned())
            } else if file.size() > MAX_BYTES {
                Some(format!(
                    "the file is {} — the limit is {}",
                    megabytes(file.size()),
                    megabytes(MAX_BYTES)
                ))
            } else {
                None
            };
            let item = Queued {
                key,
                name: file.name(),
                size: file.size(),
                alt: RwSignal::new(String::new()),
                state: RwSignal::new(if refusal.is_some() {
                    UploadState::Failed
                } else {
                    UploadState::Waiting
                }),
                progress: RwSignal::new(0.0),
                message: RwSignal::new(refusal),
            };
            self.files.update_value(|files| files.push((key, file)));
            self.items.update(|items| items.push(item));
        }
    }

    /// Start every described file; those without a description say so and wait.
    fn start(self) {
        let items = self.items.get_untracked();
        let mut missing = 0;
        for item in &items {
            if item.state.get_untracked() != UploadState::Waiting {
                continue;
            }
            if item.alt.get_untracked().trim().is_empty() {
                missing += 1;
                item.message
                    .set(Some("Describe this photo first (its alt text).".to_owned()));
            } else {
                item.message.set(None);
                item.state.set(UploadState::Ready);
            }
        }
        if missing == 0 {
            self.ed.unsaved.clear("uploads");
        }
        self.pump();
    }

    fn pump(self) {
        let items = self.items.get_untracked();
        let busy = items
            .iter()
            .filter(|i| {
                matches!(
                    i.state.get_untracked(),
                    UploadState::Sending | UploadState::Processing
                )
            })
            .count();
        for item in items
            .iter()
            .filter(|i| i.state.get_untracked() == UploadState::Ready)
            .take(PARALLEL.saturating_sub(busy))
        {
            item.state.set(UploadState::Sending);
            if let Err(problem) = self.send(item) {
                item.state.set(UploadState::Failed);
                item.message.set(Some(problem));
            }
        }
    }

    fn send(self, item: &Queued) -> Result<(), String> {
        let couldnt = |_| "The browser could not send this file.".to_owned();
        let file = self
            .files
            .with_value(|files| {
                files
                    .iter()
                    .find(|(k, _)| *k == item.key)
                    .map(|(_, f)| f.clone())
            })
            .ok_or_else(|| "The file is no longer available; choose it again.".to_owned())?;
        let form = web_sys::FormData::new().map_err(couldnt)?;
        form.append_with_str("alt_text", item.alt.get_untracked().trim())
            .map_err(couldnt)?;
        form.append_with_blob_and_filename("file", &file, &item.name)
            .map_err(couldnt)?;
        let xhr = web_sys::XmlHttpRequest::new().map_err(couldnt)?;
        xhr.open("POST", &format!("/admin/product-photos/{}", self.ed.id))
            .map_err(couldnt)?;
        xhr.set_request_header("Accept", "application/json")
            .map_err(couldnt)?;
        let (state, progress) = (item.state, item.progress);
        let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
            move |event: web_sys::ProgressEvent| {
                if event.length_computable() && event.total() > 0.0 {
                    let share = event.loaded() / event.total();
                    progress.set(share);
                    if share >= 1.0 {
                        state.set(UploadState::Processing);
                    }
                }
            },
        );
        xhr.upload()
            .map_err(couldnt)?
            .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        let (message, queue, answered) = (item.message, self, xhr.clone());
        let on_done = Closure::<dyn FnMut()>::new(move || {
            let status = answered.status().unwrap_or(0);
            if status == 200 {
                progress.set(1.0);
                state.set(UploadState::Done);
                queue.ed.refresh();
            } else {
                let body = answered.response_text().ok().flatten().unwrap_or_default();
                message.set(Some(upload_refusal(status, &body, || {
                    format!("the file is larger than the {} limit", megabytes(MAX_BYTES))
                })));
                state.set(UploadState::Failed);
            }
            queue.pump();
        });
        xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
        xhr.send_with_opt_form_data(Some(&form)).map_err(couldnt)?;
        // One pair of small handlers per upload, alive until the page is gone.
        on_progress.forget();
        on_done.forget();
        Ok(())
    }

    /// Take finished and refused files off the list.
    fn clear_finished(self) {
        let gone: Vec<u32> = self
            .items
            .get_untracked()
            .iter()
            .filter(|i| {
                matches!(
                    i.state.get_untracked(),
                    UploadState::Done | UploadState::Failed
                )
            })
            .map(|i| i.key)
            .collect();
        self.items
            .update(|items| items.retain(|i| !gone.contains(&i.key)));
        self.files
            .update_value(|files| files.retain(|(k, _)| !gone.contains(k)));
    }
}

#[component]
fn Uploader(ed: Editor) -> impl IntoView {
    let queue = Queue {
        ed,
        items: RwSignal::new(Vec::new()),
        files: StoredValue::new_local(Vec::new()),
        next_key: StoredValue::new(0),
    };
    let over = RwSignal::new(false);
    let waiting = move || {
        queue
            .items
            .with(|items| items.iter().any(|i| i.state.get() == UploadState::Waiting))
    };
    let finished = move || {
        queue.items.with(|items| {
            items
                .iter()
                .any(|i| matches!(i.state.get(), UploadState::Done | UploadState::Failed))
        })
    };
    view! {
        <div class="dropzone" class:dropzone--over=move || over.get() data-testid="dropzone"
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); over.set(true); }
            on:dragleave=move |_| over.set(false)
            on:drop=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                over.set(false);
                if let Some(files) = ev.data_transfer().and_then(|dt| dt.files()) {
                    queue.add(&files);
                    ed.unsaved.mark("uploads");
                }
            }>
            <p>"Drop photos here, or "
                <label class="link-button" for="photo-files">"choose files"</label>
            </p>
            <input id="photo-files" class="visually-hidden" type="file" multiple
                accept=ACCEPTED_TYPES.join(",")
                on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    if let Some(files) = input.files() {
                        queue.add(&files);
                        ed.unsaved.mark("uploads");
                    }
                    input.set_value("");
                }/>
        </div>
        <ul class="upload-list" data-testid="uploads">
            <For each=move || queue.items.get() key=|item| item.key let:item>
                <UploadRow item queue/>
            </For>
        </ul>
        <p class="upload-actions">
            {move || waiting().then(|| view! {
                <button type="button" class="button" on:click=move |_| queue.start()>"Upload photos"</button>
            })}
            {move || finished().then(|| view! {
                <button type="button" class="button button--quiet" on:click=move |_| queue.clear_finished()>"Clear finished"</button>
            })}
        </p>
    }
}

#[component]
fn UploadRow(item: Queued, queue: Queue) -> impl IntoView {
    let Queued {
        key,
        name,
        size,
        alt,
        state,
        progress,
        message,
    } = item;
    let input_id = format!("upload-alt-{key}");
    let label = format!("Description of {name} (alt text)");
    let data_name = name.clone();
    let progress_label = format!("Upload of {name}");
    let status = move || match state.get() {
        UploadState::Waiting => "Waiting for its description".to_owned(),
        UploadState::Ready => "Queued".to_owned(),
        UploadState::Sending => format!("Uploading {:.0}%", progress.get() * 100.0),
        UploadState::Processing => "Resizing…".to_owned(),
        UploadState::Done => "Added".to_owned(),
        UploadState::Failed => "Not added".to_owned(),
    };
    let editable = move || matches!(state.get(), UploadState::Waiting);
    view! {
        <li class="upload" data-state=move || format!("{:?}", state.get()).to_lowercase() data-name=data_name>
            <p class="upload__name"><strong>{name}</strong>" "<span class="muted">{megabytes(size)}</span></p>
            <label for=input_id.clone()>{label}</label>
            <input id=input_id type="text" maxlength="250" prop:value=move || alt.get()
                disabled=move || !editable()
                on:input=move |ev| {
                    alt.set(event_target_value(&ev));
                    queue.ed.unsaved.mark("uploads");
                }/>
            <progress max="1" value=move || progress.get() aria-label=progress_label></progress>
            <span class="upload__status" role="status">{status}</span>
            {move || message.get().map(|m| view! { <p class="field__error" role="alert">{m}</p> })}
        </li>
    }
}
