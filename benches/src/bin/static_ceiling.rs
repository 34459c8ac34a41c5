//! `static_ceiling DIR ADDR`: serve DIR's files with axum, nothing else.
//! `cargo xtask bench ssr` serves the pages' own HTML through it as the speed ceiling.

use axum::Router;
use axum::serve::ListenerExt;
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(addr)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: static_ceiling DIR ADDR");
    };
    // Without TCP_NODELAY, headers and body written separately stall on delayed ACKs (~40 ms).
    let listener = tokio::net::TcpListener::bind(&addr).await?.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, Router::new().fallback_service(ServeDir::new(dir))).await?;
    Ok(())
}
