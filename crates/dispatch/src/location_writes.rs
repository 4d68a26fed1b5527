//! The receiver's writer of driver locations: one thread that takes every `driver.location`
//! queued while it wrote the last batch and writes them in one transaction
//! ([`Cache::take_locations`]), then announces the batch's moves as one change.
//!
//! Why (ui/MAP-BENCHMARKS.md, profiling): with 2,000 signed moves a second on 2 cores, each
//! move was three SQLite commits made on the async runtime's threads, holding the cache's
//! lock; while both threads waited on it nothing else ran — not the HTTP receive, not the
//! forwarder of changes to the window — and moves queued for up to a second. Here a batch
//! costs one commit, the runtime's threads only await an answer, and the batch is as large as
//! what arrived meanwhile: no timer, so a lone move is written at once.
//!
//! A batch is written holding the writer's gate, which [`LocationWrites::close`] shuts: once
//! the app has switched to another configuration ([`Dispatch::retire`](crate::Dispatch)),
//! fixes still queued — their senders may have hung up — are refused, never written into the
//! cache the next account claims.

use std::sync::Arc;
use std::sync::mpsc;

use hakobu_cache::{Cache, CacheError, FixOutcome, LocationTaken, LocationWebhook};
use tokio::sync::{broadcast, oneshot};

use crate::Changes;

/// Most webhooks written in one transaction (a backlog is written in several).
const BATCH_AT_MOST: usize = 512;

type Answer = Result<LocationTaken, String>;

struct Job {
    webhook: LocationWebhook,
    answer: oneshot::Sender<Answer>,
}

/// The queue to the writer thread; the thread ends when this is dropped.
pub(crate) struct LocationWrites {
    queue: mpsc::Sender<Job>,
    /// Open (true) until [`LocationWrites::close`]; held by the thread while it writes a
    /// batch. A tokio mutex: the thread takes it blocking, `close` awaits it.
    open: Arc<tokio::sync::Mutex<bool>>,
}

impl LocationWrites {
    pub(crate) fn start(cache: Arc<Cache>, changes: broadcast::Sender<Changes>) -> LocationWrites {
        let (queue, jobs) = mpsc::channel::<Job>();
        let open = Arc::new(tokio::sync::Mutex::new(true));
        let gate = open.clone();
        let spawned = std::thread::Builder::new()
            .name("location-writes".into())
            .spawn(move || write_batches(&cache, &changes, &jobs, &gate));
        if let Err(e) = spawned {
            // Without the thread every write answers an error (the receiver's 500).
            tracing::error!("location writer not started: {e}");
        }
        LocationWrites { queue, open }
    }

    /// Refuses every fix from now on, and waits for a batch being written to be committed:
    /// when this returns, the writer writes nothing more.
    pub(crate) async fn close(&self) {
        *self.open.lock().await = false;
    }

    /// Queues `webhook` and waits for its batch to be committed.
    pub(crate) async fn take(&self, webhook: LocationWebhook) -> Result<LocationTaken, CacheError> {
        let (answer, answered) = oneshot::channel();
        let gone = || CacheError::Io("location writer stopped".into());
        self.queue
            .send(Job { webhook, answer })
            .map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?.map_err(CacheError::Io)
    }
}

/// What a written fix did, as the event is marked.
pub(crate) fn fix_detail(outcome: &FixOutcome) -> String {
    match outcome {
        FixOutcome::Older => "location on the trail only".into(),
        FixOutcome::Moved(_) | FixOutcome::Unchanged => "location".into(),
    }
}

fn write_batches(
    cache: &Cache,
    changes: &broadcast::Sender<Changes>,
    jobs: &mpsc::Receiver<Job>,
    gate: &tokio::sync::Mutex<bool>,
) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH_AT_MOST {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (webhooks, answers): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|j| (j.webhook, j.answer)).unzip();
        // Held until the batch is committed: `close` waits for it.
        let open = gate.blocking_lock();
        if !*open {
            for answer in answers {
                let _ = answer.send(Err(crate::retired::retired_error().message));
            }
            continue;
        }
        match cache.take_locations(&webhooks, fix_detail) {
            Ok(taken) => {
                let mut moved = Changes::default();
                for t in &taken {
                    if let LocationTaken::Applied(Some(FixOutcome::Moved(row))) = t {
                        moved.merge(Changes {
                            drivers: vec![row.id],
                            positions: vec![(**row).clone()],
                            ..Changes::default()
                        });
                    }
                }
                // Announced before anyone is answered: a sender that hears 2xx finds its move
                // on its way to the window. Nobody listening is fine.
                if !moved.is_empty() {
                    let _ = changes.send(moved);
                }
                for (answer, t) in answers.into_iter().zip(taken) {
                    let _ = answer.send(Ok(t));
                }
            }
            Err(e) => {
                let message = e.to_string();
                for answer in answers {
                    let _ = answer.send(Err(message.clone()));
                }
            }
        }
    }
}
