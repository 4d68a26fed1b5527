//! The real client against the real sandbox on port 0, over a real SQLite file: every store rule
//! of the document (one failing case each), the 401 and 404 paths, filters, pages, persistence.

use hakobu_diaq::{PickupProof, StoreInput, StoreQuery, StoreType};
use hakobu_diaq_client::{ClientError, DiaqClient};
use hakobu_sandbox::{RunningSandbox, SandboxConfig, Seed};
use serde_json::json;

const KEY: &str = "test_key_3f9a";

struct Peer {
    _dir: tempfile::TempDir,
    config: SandboxConfig,
    server: RunningSandbox,
    client: DiaqClient,
}

async fn peer(seed: Option<Seed>) -> Peer {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed,
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    Peer {
        _dir: dir,
        config,
        server,
        client,
    }
}

fn valid() -> StoreInput {
    StoreInput {
        id_alias: Some("T0001".into()),
        store_name: Some("テスト店".into()),
        store_address_zipcode: Some("106-0045".into()),
        store_address_prefecture: Some("東京都".into()),
        store_address_line_1: Some("港区麻布十番1-2-3".into()),
        store_address_line_2: Some("".into()),
        store_phone: Some("03-1111-2222".into()),
        ..StoreInput::default()
    }
}

/// Creates `input` and expects a 400 naming `field`; returns the message.
async fn rejected(client: &DiaqClient, input: &StoreInput, field: &str) -> String {
    match client.create_store(input).await {
        Err(e @ ClientError::BadRequest { .. }) => {
            assert_eq!(e.field(), Some(field), "{e}");
            e.to_string()
        }
        other => panic!("expected 400 on {field}, got {other:?}"),
    }
}

#[tokio::test]
async fn create_applies_the_document_defaults() {
    let p = peer(None).await;
    let store = p.client.create_store(&valid()).await.unwrap();
    assert_eq!(store.store_type, StoreType::StandaloneStore);
    assert_eq!(store.pickup_proof, PickupProof::Signature);
    assert!(store.offers_delivery && store.offers_fetches);
    assert_eq!(store.delivery_proof, "signature");
    assert_eq!(store.id.len(), 36, "UUID id: {}", store.id);
    assert_eq!(p.client.get_store(&store.id).await.unwrap(), store);
}

#[tokio::test]
async fn hundred_character_limits_count_characters_not_bytes() {
    let p = peer(None).await;
    for field in [
        "id_alias",
        "store_name",
        "store_address_line_1",
        "store_address_line_2",
        "opening_time",
        "closing_time",
    ] {
        let mut body = serde_json::to_value(valid()).unwrap();
        // 100 kanji are 300 bytes and must pass.
        body[field] = json!("店".repeat(100));
        let ok: StoreInput = serde_json::from_value(body.clone()).unwrap();
        p.client
            .create_store(&ok)
            .await
            .unwrap_or_else(|e| panic!("100 characters in {field} must pass: {e}"));
        body[field] = json!("店".repeat(101));
        let too_long: StoreInput = serde_json::from_value(body).unwrap();
        let message = rejected(&p.client, &too_long, field).await;
        assert!(message.contains("at most 100 characters"), "{message}");
    }
}

#[tokio::test]
async fn zipcode_must_be_three_digits_hyphen_four() {
    let p = peer(None).await;
    for good in ["106-0045", "000-0000"] {
        let input = StoreInput {
            store_address_zipcode: Some(good.into()),
            ..valid()
        };
        p.client.create_store(&input).await.unwrap();
    }
    for bad in [
        "1060045",
        "106-00456",
        "10-60045",
        "１０６-００４５",
        "106ー0045",
        "106-0045\n",
        " 106-0045",
    ] {
        let input = StoreInput {
            store_address_zipcode: Some(bad.into()),
            ..valid()
        };
        let message = rejected(&p.client, &input, "store_address_zipcode").await;
        assert!(message.contains(r"\A\d{3}[-]\d{4}\z"), "{message}");
    }
}

#[tokio::test]
async fn phone_must_match_the_document_regex_and_13_characters() {
    let p = peer(None).await;
    for good in [
        "03-1111-2222",
        "0422-21-3030",
        "090-1234-5678",
        "0312345678",
        "09012345678",
    ] {
        let input = StoreInput {
            store_phone: Some(good.into()),
            ..valid()
        };
        p.client
            .create_store(&input)
            .await
            .unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    for bad in [
        "3-1111-2222",
        "03-1111-22",
        "031234567",
        "031234567890",
        "+81-3111-2222",
        "０３-１１１１-２２２２",
        "03 1111 2222",
    ] {
        let input = StoreInput {
            store_phone: Some(bad.into()),
            ..valid()
        };
        let message = rejected(&p.client, &input, "store_phone").await;
        assert!(message.contains("must match"), "{bad}: {message}");
    }
    // Matches the regex's first form (14 characters) but breaks "13文字まで".
    let input = StoreInput {
        store_phone: Some("0123-4567-8901".into()),
        ..valid()
    };
    let message = rejected(&p.client, &input, "store_phone").await;
    assert!(message.contains("at most 13 characters"), "{message}");
}

#[tokio::test]
async fn enums_take_only_the_documented_values() {
    let p = peer(None).await;
    for (field, value) in [("store_type", "shop"), ("pickup_proof", "photo")] {
        let mut body = serde_json::to_value(valid()).unwrap();
        body[field] = json!(value);
        let e = raw_create(&p, body).await;
        assert_eq!(e.field(), Some(field), "{e}");
        assert!(e.to_string().contains("must be one of"), "{e}");
    }
    let input = StoreInput {
        store_type: Some(StoreType::ConsolidationStore),
        pickup_proof: Some(PickupProof::Selfcheck),
        ..valid()
    };
    let store = p.client.create_store(&input).await.unwrap();
    assert_eq!(store.store_type, StoreType::ConsolidationStore);
    assert_eq!(store.pickup_proof, PickupProof::Selfcheck);
}

#[tokio::test]
async fn delivery_proof_is_fixed_to_signature() {
    let p = peer(None).await;
    let mut body = serde_json::to_value(valid()).unwrap();
    body["delivery_proof"] = json!("barcode");
    let e = raw_create(&p, body).await;
    assert_eq!(e.field(), Some("delivery_proof"));
}

#[tokio::test]
async fn required_properties_and_types_are_checked() {
    let p = peer(None).await;
    for field in [
        "store_name",
        "store_address_zipcode",
        "store_address_prefecture",
        "store_address_line_1",
        "store_phone",
    ] {
        let mut body = serde_json::to_value(valid()).unwrap();
        body.as_object_mut().unwrap().remove(field);
        let e = raw_create(&p, body).await;
        assert_eq!(e.field(), Some(field), "{e}");
        assert!(e.to_string().contains("is required"), "{e}");
    }
    let mut body = serde_json::to_value(valid()).unwrap();
    body["store_name"] = json!(42);
    let e = raw_create(&p, body).await;
    assert_eq!(e.field(), Some("store_name"));
    assert!(e.to_string().contains("must be a string"), "{e}");
    // Nothing was created by any rejected request.
    assert_eq!(
        p.client.count_stores(&StoreQuery::default()).await.unwrap(),
        0
    );
}

/// Sends a body the typed input cannot express, through the sandbox's raw HTTP.
async fn raw_create(p: &Peer, body: serde_json::Value) -> ClientError {
    // Going through StoreInput would drop unknown enum values; post the JSON as is.
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}/v1/stores", p.server.base_url()))
        .header("Api-Key", KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let message = response.json::<serde_json::Value>().await.unwrap()["error"]
        .as_str()
        .unwrap()
        .to_owned();
    ClientError::BadRequest { message }
}

#[tokio::test]
async fn update_changes_only_what_is_sent_and_keeps_the_store_on_a_bad_value() {
    let p = peer(None).await;
    let store = p.client.create_store(&valid()).await.unwrap();
    let change = StoreInput {
        store_phone: Some("03-3333-1111".into()),
        store_type: Some(StoreType::InMallStore),
        ..StoreInput::default()
    };
    let updated = p.client.update_store(&store.id, &change).await.unwrap();
    assert_eq!(updated.store_phone, "03-3333-1111");
    assert_eq!(updated.store_type, StoreType::InMallStore);
    assert_eq!(updated.store_name, store.store_name);

    let bad = StoreInput {
        store_address_zipcode: Some("1234567".into()),
        store_name: Some("変更されない".into()),
        ..StoreInput::default()
    };
    let e = p.client.update_store(&store.id, &bad).await.unwrap_err();
    assert_eq!(e.field(), Some("store_address_zipcode"));
    assert_eq!(p.client.get_store(&store.id).await.unwrap(), updated);

    let long = StoreInput {
        store_name: Some("名".repeat(101)),
        ..StoreInput::default()
    };
    let e = p.client.update_store(&store.id, &long).await.unwrap_err();
    assert_eq!(e.field(), Some("store_name"));
}

#[tokio::test]
async fn unknown_ids_are_404_on_get_put_delete() {
    let p = peer(None).await;
    let missing = "00000000-0000-4000-8000-000000000000";
    assert!(matches!(
        p.client.get_store(missing).await,
        Err(ClientError::NotFound { .. })
    ));
    // 404 wins over a bad body: there is nothing to update.
    let bad = StoreInput {
        store_phone: Some("x".into()),
        ..StoreInput::default()
    };
    assert!(matches!(
        p.client.update_store(missing, &bad).await,
        Err(ClientError::NotFound { .. })
    ));
    assert!(matches!(
        p.client.delete_store(missing).await,
        Err(ClientError::NotFound { .. })
    ));
    let store = p.client.create_store(&valid()).await.unwrap();
    p.client.delete_store(&store.id).await.unwrap();
    assert!(matches!(
        p.client.delete_store(&store.id).await,
        Err(ClientError::NotFound { .. })
    ));
    assert!(matches!(
        p.client.get_store("a/../../v1/time_zones").await,
        Err(ClientError::NotFound { .. })
    ));
}

#[tokio::test]
async fn every_route_requires_the_api_key() {
    let p = peer(Some(Seed::Tokyo)).await;
    let wrong = DiaqClient::new(&p.server.base_url(), "wrong").unwrap();
    let id = "5eed0000-0000-4000-8000-000000000001";
    assert_eq!(wrong.time_zones().await, Err(ClientError::Unauthorized));
    assert_eq!(
        wrong.list_stores(&StoreQuery::default(), 1, None).await,
        Err(ClientError::Unauthorized)
    );
    assert_eq!(
        wrong.count_stores(&StoreQuery::default()).await,
        Err(ClientError::Unauthorized)
    );
    assert_eq!(wrong.get_store(id).await, Err(ClientError::Unauthorized));
    assert_eq!(
        wrong.create_store(&valid()).await,
        Err(ClientError::Unauthorized)
    );
    assert_eq!(
        wrong.update_store(id, &valid()).await,
        Err(ClientError::Unauthorized)
    );
    assert_eq!(wrong.delete_store(id).await, Err(ClientError::Unauthorized));
    // The seeded store is untouched, and the body is the document's fixed text.
    assert!(p.client.get_store(id).await.is_ok());
    for key in [None, Some("")] {
        let mut request = reqwest::Client::new().get(format!("{}/v1/stores", p.server.base_url()));
        if let Some(k) = key {
            request = request.header("Api-Key", k);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.json::<serde_json::Value>().await.unwrap(),
            json!({"error": "401 Unauthorized"})
        );
    }
}

#[tokio::test]
async fn time_zones_are_the_documented_nineteen() {
    let p = peer(None).await;
    let zones = p.client.time_zones().await.unwrap();
    assert_eq!(zones, hakobu_diaq::time_zones());
    assert_eq!(zones[0].id, "9fad40c3-1347-4ce8-bd06-61c180391f4b");
}

#[tokio::test]
async fn list_filters_match_partially_and_pages_default_to_25() {
    let p = peer(Some(Seed::Tokyo)).await;
    let all = p.client.all_stores(&StoreQuery::default()).await.unwrap();
    assert_eq!(all.len(), 12);
    let query = StoreQuery {
        store_name: Some("渋谷".into()),
        ..StoreQuery::default()
    };
    let found = p.client.list_stores(&query, 1, None).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].store_address_line_1, "渋谷区道玄坂2-6-17");
    let query = StoreQuery {
        store_address_line_1: Some("区".into()),
        store_phone: Some("03-3".into()),
        ..StoreQuery::default()
    };
    let n = p.client.count_stores(&query).await.unwrap();
    let listed = p.client.all_stores(&query).await.unwrap();
    assert_eq!(n as usize, listed.len());
    assert!(
        listed
            .iter()
            .all(|s| s.store_address_line_1.contains('区') && s.store_phone.contains("03-3"))
    );
    assert!(n > 0 && n < 12);
    // Wildcards are literal.
    let query = StoreQuery {
        store_name: Some("%".into()),
        ..StoreQuery::default()
    };
    assert_eq!(p.client.count_stores(&query).await.unwrap(), 0);

    for i in 0..20 {
        let input = StoreInput {
            id_alias: Some(format!("P{i:03}")),
            ..valid()
        };
        p.client.create_store(&input).await.unwrap();
    }
    let first = p
        .client
        .list_stores(&StoreQuery::default(), 1, None)
        .await
        .unwrap();
    assert_eq!(first.len(), 25);
    let second = p
        .client
        .list_stores(&StoreQuery::default(), 2, None)
        .await
        .unwrap();
    assert_eq!(second.len(), 7);
    assert!(second.iter().all(|s| !first.contains(s)));
    let small = p
        .client
        .list_stores(&StoreQuery::default(), 3, Some(5))
        .await
        .unwrap();
    assert_eq!(small[0], first[10]);
    for (page, per_page) in [(0, None), (1, Some(0)), (1, Some(101))] {
        let e = p
            .client
            .list_stores(&StoreQuery::default(), page, per_page)
            .await
            .unwrap_err();
        assert!(matches!(e.field(), Some("page") | Some("per_page")), "{e}");
    }
}

#[tokio::test]
async fn data_survives_a_restart_and_the_seed_is_not_reloaded() {
    let p = peer(Some(Seed::Tokyo)).await;
    let created = p.client.create_store(&valid()).await.unwrap();
    p.client
        .delete_store("5eed0000-0000-4000-8000-000000000001")
        .await
        .unwrap();
    let Peer {
        _dir,
        config,
        server,
        ..
    } = p;
    server.shutdown().await;
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let all = client.all_stores(&StoreQuery::default()).await.unwrap();
    assert_eq!(all.len(), 12, "11 seeded + 1 created");
    assert!(all.contains(&created));
    assert!(
        !all.iter()
            .any(|s| s.id == "5eed0000-0000-4000-8000-000000000001")
    );
}

#[tokio::test]
async fn a_stopped_server_is_a_transport_error() {
    let p = peer(None).await;
    let client = p.client.clone();
    p.server.shutdown().await;
    assert!(matches!(
        client.time_zones().await,
        Err(ClientError::Transport(_))
    ));
}

#[test]
fn debug_output_never_shows_the_key() {
    let client = DiaqClient::new("http://127.0.0.1:9", "secret_key_123").unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains("secret_key_123"), "{shown}");
}
