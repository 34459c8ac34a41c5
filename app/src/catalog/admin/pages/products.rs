//! /admin/products: the product list, searchable and sortable. Lists are plain GET forms
//! and links, so every state has a URL and works before the WASM arrives.

use super::BackOfficeHead;
use crate::catalog::admin::api::load_admin_products;
use crate::catalog::admin::model::ProductSort;
use crate::ui::{ErrorPage, Pagination, count_of, urlencode, use_list_query};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminCatalogPage() -> impl IntoView {
    let query = use_query_map();
    let (search, page) = use_list_query();
    let sort = Memo::new(move |_| {
        query.with(|q| ProductSort::from_slug(&q.get("sort").unwrap_or_default()))
    });
    let products = Resource::new(
        move || (search.get(), sort.get(), page.get()),
        |(q, sort, page)| load_admin_products(q, sort.slug().to_owned(), page),
    );
    view! {
        <BackOfficeHead title="Products"/>
        <p><a class="button" href="/admin/products/new">"New product"</a></p>
        <form method="get" action="/admin/products" class="search-row" role="search">
            <label for="product-search" class="visually-hidden">"Search by name, slug or SKU"</label>
            <input id="product-search" name="q" type="search" maxlength="100" placeholder="Name, slug or SKU" value=move || search.get()/>
            <label for="product-sort" class="visually-hidden">"Sort by"</label>
            <select id="product-sort" name="sort">
                {ProductSort::ALL.into_iter().map(|s| view! {
                    <option value=s.slug() selected=move || sort.get() == s>{s.label()}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="button">"Show"</button>
        </form>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match products.await {
                    Ok(list) if list.rows.is_empty() => view! {
                        <p class="notice" data-testid="no-products">
                            {if list.query.is_empty() {
                                "No products yet.".to_owned()
                            } else {
                                format!("No product's name, slug or SKU contains “{}”.", list.query)
                            }}
                        </p>
                        <p><a class="button button--quiet" href="/admin/products">"Show all products"</a></p>
                    }.into_any(),
                    Ok(list) => {
                        let (q, sort) = (list.query.clone(), list.sort);
                        view! {
                            <p class="muted">{count_of(list.total, "product")}</p>
                            <table class="table" data-testid="products">
                                <thead><tr>
                                    <th scope="col">"Product"</th><th scope="col">"Category"</th>
                                    <th scope="col">"Status"</th><th scope="col">"Variants"</th>
                                    <th scope="col">"Sellable units"</th><th scope="col">"Photos"</th>
                                    <th scope="col">"Changed (UTC)"</th>
                                </tr></thead>
                                <tbody>
                                    {list.rows.into_iter().map(|row| view! {
                                        <tr data-slug=row.slug.clone()>
                                            <td>
                                                <a href=format!("/admin/products/{}", row.id)>{row.name}</a>
                                                <br/><span class="muted">{row.product_line}</span>
                                            </td>
                                            <td>{row.category}</td>
                                            <td>{if row.published { "Published" } else { "Draft" }}</td>
                                            <td>{row.variants}</td>
                                            <td class:stock--out=row.sellable_units == 0>{row.sellable_units}</td>
                                            <td>{row.images}</td>
                                            <td>{row.updated}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <Pagination page=list.page total_pages=list.total_pages href=move |p| {
                                format!("/admin/products?q={}&sort={}&page={p}", urlencode(&q), sort.slug())
                            }/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
