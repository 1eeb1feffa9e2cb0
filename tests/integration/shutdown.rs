//! Graceful shutdown: new connections are refused at once, a request in
//! flight still gets its answer, then the server stops.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::harness::TestServer;

#[tokio::test]
async fn in_flight_request_completes() {
    let server = TestServer::start().await;
    let addr = server.addr();
    let body = br#"{"message": "sent in two halves"}"#;
    let (first, second) = body.split_at(10);

    // Headers and half the body: the handler is now waiting for the rest.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/client-errors HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first).await.unwrap();
    stream.flush().await.unwrap();

    let stopping = tokio::spawn(server.stop());

    // The listener closes first: new connections are refused.
    let mut refused = false;
    for _ in 0..200 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "the listener closed after the stop signal");
    assert!(
        !stopping.is_finished(),
        "the server waits for the request in flight"
    );

    stream.write_all(second).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 204"), "{response}");

    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("stops after the last request")
        .unwrap();
}
