//! /admin/products/new and /admin/products/{id}: the catalog editor. Each part of a product
//! (details, each variant, each lot, each photo) has its own small form; after a save only the
//! parts whose data changed are drawn again, so what is typed elsewhere stays put. Leaving the
//! page with unsaved typing asks first.

use super::Editor;
use super::photos::PhotosSection;
use crate::catalog::admin::api::{
    AddVariant, AdjustStock, CreateProduct, PublishProduct, ReceiveLot, SaveProduct, SaveVariant,
    load_editor_choices, load_product_editor,
};
use crate::catalog::admin::forms::ProductInput;
use crate::catalog::admin::model::{CategoryChoice, EditorLot, EditorVariant, ProductEditor};
use crate::catalog::model::{Allergen, ProductForm, SkinType};
use crate::error::AppError;
use crate::ids::ProductId;
use crate::inventory::model::MovementReason;
use crate::ui::{
    ErrorPage, FormError, Notice, TextArea, TextField, UnsavedChanges, UnsavedChangesGuard,
    field_error, form_error, on_success,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

#[component]
fn EditorHead(title: Signal<String>) -> impl IntoView {
    view! {
        <Title text=move || format!("{} — Back office — Olivine", title.get())/>
        <header class="page-head">
            <p class="eyebrow"><a href="/admin">"Back office"</a>" · "<a href="/admin/products">"Products"</a></p>
            <h1>{title}</h1>
        </header>
    }
}

/// The product form's fields, named `product[...]`.
#[component]
fn ProductFormFields(
    initial: ProductInput,
    categories: Vec<CategoryChoice>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let category_error = field_error(error, "product[category]");
    let form_error_message = field_error(error, "product[form]");
    let skin_error = field_error(error, "product[skin_types]");
    let allergen_error = field_error(error, "product[allergens]");
    let colour_error = field_error(error, "product[accent_colour]");
    let (category, form) = (initial.category.clone(), initial.form.clone());
    let skin_types = initial.skin_types.clone();
    let allergens = initial.allergens.clone();
    view! {
        <TextField label="Name" name="product[name]" value=initial.name error/>
        <TextField label="Web address" name="product[slug]" value=initial.slug required=false
            hint="The last part of the shop address, like night-repair-serum. Leave empty to make it from the name." error/>
        <div class="form__row">
            <div class="field" class:field--invalid=move || category_error.with(Option::is_some)>
                <label for="field-product-category">"Category"</label>
                <select id="field-product-category" name="product[category]" aria-describedby="field-product-category-error">
                    <option value="" selected=category.is_empty()>"Choose…"</option>
                    {categories.into_iter().map(|c| {
                        let value = c.id.0.to_string();
                        let selected = value == category;
                        view! { <option value=value selected=selected>{format!("{} ({})", c.name, c.kind.label())}</option> }
                    }).collect_view()}
                </select>
                <p class="field__error" id="field-product-category-error">{move || category_error.get()}</p>
            </div>
            <div class="field" class:field--invalid=move || form_error_message.with(Option::is_some)>
                <label for="field-product-form">"Form"</label>
                <select id="field-product-form" name="product[form]" aria-describedby="field-product-form-error">
                    <option value="" selected=form.is_empty()>"Choose…"</option>
                    {ProductForm::ALL.iter().map(|f| view! {
                        <option value=f.db_name() selected=f.db_name() == form>{f.label()}</option>
                    }).collect_view()}
                </select>
                <p class="field__error" id="field-product-form-error">{move || form_error_message.get()}</p>
            </div>
        </div>
        <TextField label="Product line" name="product[product_line]" value=initial.product_line hint="The range it belongs to, printed on the label." error/>
        <TextArea label="Summary" name="product[summary]" value=initial.summary rows=2 hint="One or two sentences for listings." error/>
        <TextArea label="Description" name="product[description]" value=initial.description rows=6 error/>
        <TextArea label="Directions" name="product[directions]" value=initial.directions rows=3 error/>
        <TextArea label="Disclaimer" name="product[disclaimer]" value=initial.disclaimer rows=4
            hint="Leave empty to use the standard text for the category's kind (supplement or skincare)." error/>
        <TextField label="Benefits" name="product[benefits]" value=initial.benefits required=false
            hint="Comma-separated, used by the shop's filters: sleep, recovery." error/>
        <fieldset class="field checks" aria-describedby="field-product-skin-error">
            <legend>"Skin types"</legend>
            {SkinType::ALL.iter().map(|s| {
                let checked = skin_types.contains_key(s.db_name());
                view! {
                    <label class="check"><input type="checkbox" name=format!("product[skin_types][{}]", s.db_name()) checked=checked/>{s.label()}</label>
                }
            }).collect_view()}
            <p class="field__error" id="field-product-skin-error">{move || skin_error.get()}</p>
        </fieldset>
        <fieldset class="field checks" aria-describedby="field-product-allergens-error">
            <legend>"Contains allergens"</legend>
            {Allergen::ALL.iter().map(|a| {
                let checked = allergens.contains_key(a.db_name());
                view! {
                    <label class="check"><input type="checkbox" name=format!("product[allergens][{}]", a.db_name()) checked=checked/>{a.label()}</label>
                }
            }).collect_view()}
            <p class="field__error" id="field-product-allergens-error">{move || allergen_error.get()}</p>
        </fieldset>
        <div class="form__row">
            <div class="field" class:field--invalid=move || colour_error.with(Option::is_some)>
                <label for="field-product-colour">"Label colour"</label>
                <input id="field-product-colour" type="color" name="product[accent_colour]"
                    value=if initial.accent_colour.is_empty() { "#4a7c59".to_owned() } else { initial.accent_colour.clone() }/>
                <p class="field__error">{move || colour_error.get()}</p>
            </div>
            <label class="check"><input type="checkbox" name="product[featured]" checked=initial.featured.is_some()/>"Featured on the home page"</label>
        </div>
    }
}

#[component]
pub fn AdminNewProductPage() -> impl IntoView {
    let choices = Resource::new(|| (), |()| load_editor_choices());
    let create = ServerAction::<CreateProduct>::new();
    let error = form_error(create);
    let unsaved = UnsavedChanges::new();
    let navigate = use_navigate();
    on_success(create, move |id| {
        unsaved.clear("new");
        navigate(
            &format!("/admin/products/{id}?created=1"),
            Default::default(),
        );
    });
    view! {
        <EditorHead title=Signal::stored("New product".to_owned())/>
        <UnsavedChangesGuard unsaved/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! {
                        <p class="muted">"A new product starts as a draft: add a variant, a lot and photos, then publish it."</p>
                        <ActionForm action=create attr:class="form panel" attr:novalidate=true
                            on:input=move |_| unsaved.mark("new")>
                            <ProductFormFields initial=ProductInput::default() categories=choices.categories error/>
                            <FormError error/>
                            <button type="submit" class="button">"Create draft"</button>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn AdminProductPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| {
            p.get("id")
                .and_then(|id| uuid::Uuid::parse_str(&id).ok())
                .map(ProductId)
        })
    });
    let loaded = Resource::new(
        move || id.get(),
        |id| async move {
            let id = id.ok_or(AppError::NotFound)?;
            Ok::<_, AppError>((load_product_editor(id).await?, load_editor_choices().await?))
        },
    );
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok((editor, choices)) => view! { <ProductEditorView editor categories=choices.categories/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProductEditorView(editor: ProductEditor, categories: Vec<CategoryChoice>) -> impl IntoView {
    let ed = Editor {
        id: editor.id,
        data: RwSignal::new(editor),
        unsaved: UnsavedChanges::new(),
    };
    let title = Signal::derive(move || ed.data.with(|d| d.fields.name.clone()));
    let query = use_query_map();
    let created = move || query.with(|q| q.get("created").is_some());
    view! {
        <EditorHead title/>
        <UnsavedChangesGuard unsaved=ed.unsaved/>
        {move || created().then(|| view! {
            <Notice tone="success"><p>"Draft created. Add a variant, receive a lot and add photos, then publish."</p></Notice>
        })}
        <PublishBar ed/>
        <DetailsSection ed categories/>
        <VariantsSection ed/>
        <PhotosSection ed/>
        <MovementsSection ed/>
    }
}

#[component]
fn PublishBar(ed: Editor) -> impl IntoView {
    let publish = ServerAction::<PublishProduct>::new();
    let error = form_error(publish);
    on_success(publish, move |()| ed.refresh());
    let published = Memo::new(move |_| ed.data.with(|d| d.published));
    let slug = Memo::new(move |_| ed.data.with(|d| d.fields.slug.clone()));
    view! {
        <section class="panel publish-bar" aria-label="Status">
            <p>
                "Status: "
                <strong data-testid="status">{move || if published.get() { "Published" } else { "Draft" }}</strong>
                {move || published.get().then(|| view! {
                    " · " <a href=format!("/products/{}", slug.get())>"View in the shop"</a>
                })}
            </p>
            <ActionForm action=publish attr:class="inline-form">
                <input type="hidden" name="id" value=ed.id.to_string()/>
                <input type="hidden" name="publish" value=move || (!published.get()).to_string()/>
                <button type="submit" class="button">
                    {move || if published.get() { "Unpublish" } else { "Publish" }}
                </button>
            </ActionForm>
            <FormError error/>
        </section>
    }
}

#[component]
fn DetailsSection(ed: Editor, categories: Vec<CategoryChoice>) -> impl IntoView {
    let save = ServerAction::<SaveProduct>::new();
    let error = form_error(save);
    on_success(save, move |()| ed.saved("details"));
    let fields = Memo::new(move |_| ed.data.with(|d| d.fields.clone()));
    let saved =
        move || save.value().with(|v| matches!(v, Some(Ok(())))) && !ed.unsaved.is_dirty("details");
    view! {
        <section class="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">"Details"</h2>
            {move || {
                let initial = ProductInput::from(&fields.get());
                let categories = categories.clone();
                view! {
                    <ActionForm action=save attr:class="form" attr:novalidate=true
                        on:input=move |_| ed.unsaved.mark("details")>
                        <input type="hidden" name="id" value=ed.id.to_string()/>
                        <ProductFormFields initial categories error/>
                        <FormError error/>
                        <button type="submit" class="button">"Save details"</button>
                        {move || saved().then(|| view! { <span class="saved" role="status">"Saved"</span> })}
                        {move || ed.unsaved.is_dirty("details").then(|| view! { <span class="muted">"Unsaved changes"</span> })}
                    </ActionForm>
                }
            }}
        </section>
    }
}

/// The variant form's fields, named `variant[...]`; `key` makes their ids unique on the page.
#[component]
fn VariantFields(
    key: String,
    sku: String,
    label: String,
    pack_count: String,
    price: String,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <div class="form__row">
            <TextField label="SKU" name="variant[sku]" id=format!("{key}-sku") value=sku error/>
            <TextField label="Size or pack" name="variant[label]" id=format!("{key}-label") value=label error/>
            <TextField label="Units per pack" name="variant[pack_count]" id=format!("{key}-pack") kind="number" value=pack_count required=false error/>
            <TextField label="Price (EUR, tax included)" name="variant[price]" id=format!("{key}-price") value=price error/>
        </div>
    }
}

#[component]
fn VariantsSection(ed: Editor) -> impl IntoView {
    let add = ServerAction::<AddVariant>::new();
    let error = form_error(add);
    let added = RwSignal::new(0_u32);
    on_success(add, move |()| {
        added.update(|n| *n += 1);
        ed.saved("add-variant");
    });
    let variants = Memo::new(move |_| ed.data.with(|d| d.variants.clone()));
    view! {
        <section class="panel" aria-labelledby="variants-heading">
            <h2 id="variants-heading">"Variants and stock"</h2>
            {move || variants.with(Vec::is_empty).then(|| view! {
                <p class="muted">"No variants yet. Add the first size or pack below."</p>
            })}
            <For each=move || variants.get() key=|v| v.clone() let:variant>
                <VariantCard ed variant/>
            </For>
            <details class="subpanel" open=move || variants.with(Vec::is_empty)>
                <summary>"Add a variant"</summary>
                // Drawn again after each success, so the next one starts empty.
                {move || {
                    added.get();
                    view! {
                        <ActionForm action=add attr:class="form" attr:novalidate=true
                            on:input=move |_| ed.unsaved.mark("add-variant")>
                            <input type="hidden" name="product" value=ed.id.to_string()/>
                            <VariantFields key="new-variant".to_owned() sku=String::new() label=String::new()
                                pack_count="1".to_owned() price=String::new() error/>
                            <FormError error/>
                            <button type="submit" class="button">"Add variant"</button>
                        </ActionForm>
                    }
                }}
            </details>
        </section>
    }
}

#[component]
fn VariantCard(ed: Editor, variant: EditorVariant) -> impl IntoView {
    let save = ServerAction::<SaveVariant>::new();
    let save_error = form_error(save);
    let receive = ServerAction::<ReceiveLot>::new();
    let receive_error = form_error(receive);
    let id = variant.id;
    let (edit_key, receive_key) = (format!("variant-{id}"), format!("receive-{id}"));
    {
        let (edit_key, receive_key) = (edit_key.clone(), receive_key.clone());
        on_success(save, move |()| ed.saved(&edit_key));
        on_success(receive, move |()| ed.saved(&receive_key));
    }
    let on_hand: i64 = variant.lots.iter().map(|l| l.on_hand).sum();
    let (receive_mark, edit_mark) = (receive_key.clone(), edit_key.clone());
    let [batch_id, expiry_id, quantity_id] = [
        format!("{receive_key}-batch"),
        format!("{receive_key}-expiry"),
        format!("{receive_key}-quantity"),
    ];
    let sku = variant.sku.clone();
    view! {
        <article class="subpanel variant" data-sku=sku.clone()>
            <h3>{format!("{} · {} · {}", variant.sku, variant.label, variant.price)}</h3>
            <p class="muted">{format!("{on_hand} on hand in {} lot(s)", variant.lots.len())}</p>
            {(!variant.lots.is_empty()).then(|| {
                let lots = variant.lots.clone();
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Batch"</th><th scope="col">"Best before"</th><th scope="col">"On hand"</th><th scope="col">"Correct stock"</th></tr></thead>
                        <tbody>
                            {lots.into_iter().map(|lot| view! { <LotRow ed lot/> }).collect_view()}
                        </tbody>
                    </table>
                }
            })}
            <details>
                <summary>"Receive a lot"</summary>
                <ActionForm action=receive attr:class="form" attr:novalidate=true
                    on:input=move |_| ed.unsaved.mark(&receive_mark)>
                    <input type="hidden" name="variant_id" value=id.to_string()/>
                    <div class="form__row">
                        <TextField label="Batch number" name="lot[batch_number]" id=batch_id error=receive_error/>
                        <TextField label="Best before" name="lot[expiry_date]" id=expiry_id kind="date" error=receive_error/>
                        <TextField label="Units received" name="lot[quantity]" id=quantity_id kind="number" error=receive_error/>
                    </div>
                    <FormError error=receive_error/>
                    <button type="submit" class="button">"Receive lot"</button>
                </ActionForm>
            </details>
            <details>
                <summary>"Edit variant"</summary>
                <ActionForm action=save attr:class="form" attr:novalidate=true
                    on:input=move |_| ed.unsaved.mark(&edit_mark)>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <VariantFields key=edit_key sku=variant.sku.clone() label=variant.label.clone()
                        pack_count=variant.pack_count.to_string() price=variant.price.decimal() error=save_error/>
                    <FormError error=save_error/>
                    <button type="submit" class="button">"Save variant"</button>
                </ActionForm>
            </details>
        </article>
    }
}

#[component]
fn LotRow(ed: Editor, lot: EditorLot) -> impl IntoView {
    let adjust = ServerAction::<AdjustStock>::new();
    let error = form_error(adjust);
    let key = format!("adjust-{}", lot.id);
    {
        let key = key.clone();
        on_success(adjust, move |_| ed.saved(&key));
    }
    let reason_error = field_error(error, "adjust[reason]");
    let mark_key = key.clone();
    let [quantity_id, reason_id, reason_for, note_id] = [
        format!("{key}-quantity"),
        format!("{key}-reason"),
        format!("{key}-reason"),
        format!("{key}-note"),
    ];
    let batch = lot.batch_number.clone();
    view! {
        <tr data-batch=batch>
            <td>{lot.batch_number.clone()}</td>
            <td>{lot.expiry_date.clone()}{lot.unsellable.then_some(" (too close to sell)")}</td>
            <td data-testid="on-hand">{lot.on_hand}</td>
            <td>
                <details>
                    <summary>"Correct"</summary>
                    <ActionForm action=adjust attr:class="form form--compact" attr:novalidate=true
                        on:input=move |_| ed.unsaved.mark(&mark_key)>
                        <input type="hidden" name="lot_id" value=lot.id.to_string()/>
                        <TextField label="Change in units (−3 removes, 5 adds)" name="adjust[quantity]" id=quantity_id error/>
                        <div class="field" class:field--invalid=move || reason_error.with(Option::is_some)>
                            <label for=reason_for>"Reason"</label>
                            <select id=reason_id name="adjust[reason]">
                                <option value="">"Choose…"</option>
                                {MovementReason::corrections().map(|r| view! {
                                    <option value=r.db_name()>{r.label()}</option>
                                }).collect_view()}
                            </select>
                            <p class="field__error">{move || reason_error.get()}</p>
                        </div>
                        <TextField label="Note" name="adjust[note]" id=note_id required=false error/>
                        <FormError error/>
                        <button type="submit" class="button">"Record correction"</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}

#[component]
fn MovementsSection(ed: Editor) -> impl IntoView {
    let movements = Memo::new(move |_| ed.data.with(|d| d.movements.clone()));
    view! {
        <section class="panel" aria-labelledby="movements-heading">
            <h2 id="movements-heading">"Stock history"</h2>
            <p class="muted">"Every receipt and correction, newest first. Entries are never changed; a mistake is put right by another entry."</p>
            {move || {
                let rows = movements.get();
                if rows.is_empty() {
                    view! { <p class="muted">"No stock received yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="table" data-testid="movements">
                            <thead><tr>
                                <th scope="col">"When (UTC)"</th><th scope="col">"SKU"</th><th scope="col">"Batch"</th>
                                <th scope="col">"Change"</th><th scope="col">"Reason"</th><th scope="col">"By"</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|m| view! {
                                    <tr>
                                        <td>{m.at}</td><td>{m.sku}</td><td>{m.batch_number}</td>
                                        <td>{if m.quantity > 0 { format!("+{}", m.quantity) } else { m.quantity.to_string() }}</td>
                                        <td>{m.reason.label()}{(!m.note.is_empty()).then(|| format!(" — {}", m.note))}</td>
                                        <td>{m.by.unwrap_or_else(|| "Demo data".to_owned())}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
        </section>
    }
}
