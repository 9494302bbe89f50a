//! A two-thread pipeline for passes over the store: the calling thread reads rows (a SQLite
//! connection cannot be shared) and consumes results in input order, while a helper thread
//! runs the costly, pure per-item work in between. On one core it all runs inline. Results
//! are identical either way: the order of consumption is the order of reading.

use std::sync::mpsc::sync_channel;

use crate::DetectError;

/// Items handed to the helper thread at a time.
const CHUNK: usize = 1024;
/// Chunks on their way at most: memory stays a few chunks, whatever the input's size.
const IN_FLIGHT: usize = 2;

/// Runs a store `pass` whose callback hands items to `sink` (the reader side of
/// [`read_map_consume`]): an error from the sink stops the pass and comes back as it was, not as
/// the store's "stopped".
pub fn feed<T>(
    sink: &mut dyn FnMut(T) -> Result<(), DetectError>,
    pass: impl FnOnce(&mut dyn FnMut(T) -> vigie_store::Result<()>) -> vigie_store::Result<()>,
) -> Result<(), DetectError> {
    let mut stopped = None;
    let read = pass(&mut |item| {
        sink(item).map_err(|e| {
            stopped = Some(e);
            vigie_store::StoreError::Stopped
        })
    });
    match stopped {
        Some(e) => Err(e),
        None => read.map_err(DetectError::from),
    }
}

/// Calls `read` with a sink; every item it pushes goes through `map` (on a helper thread when
/// there are two cores or more), and `consume` receives the results in the order pushed.
/// The first error, from `read` or `consume`, stops the pass and is returned.
pub fn read_map_consume<T, U, E>(
    read: impl FnOnce(&mut dyn FnMut(T) -> Result<(), E>) -> Result<(), E>,
    map: impl Fn(T) -> U + Sync,
    mut consume: impl FnMut(U) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send,
    U: Send,
{
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 {
        return read(&mut |item| consume(map(item)));
    }
    std::thread::scope(|scope| {
        let (to_helper, helper_in) = sync_channel::<Vec<T>>(IN_FLIGHT);
        let (helper_out, from_helper) = sync_channel::<Vec<U>>(IN_FLIGHT);
        let map = &map;
        scope.spawn(move || {
            for chunk in helper_in {
                let done: Vec<U> = chunk.into_iter().map(map).collect();
                if helper_out.send(done).is_err() {
                    break;
                }
            }
        });
        let mut pending: Vec<T> = Vec::with_capacity(CHUNK);
        let mut in_flight = 0usize;
        // Receives one finished chunk; `false` when the helper is gone (it panicked: the
        // scope re-raises that panic when it ends).
        let drain_one = |consume: &mut dyn FnMut(U) -> Result<(), E>| -> Result<bool, E> {
            match from_helper.recv() {
                Ok(done) => {
                    for u in done {
                        consume(u)?;
                    }
                    Ok(true)
                }
                Err(_) => Ok(false),
            }
        };
        let read_result = read(&mut |item| {
            pending.push(item);
            if pending.len() == CHUNK {
                if to_helper
                    .send(std::mem::replace(&mut pending, Vec::with_capacity(CHUNK)))
                    .is_ok()
                {
                    in_flight += 1;
                }
                while in_flight >= IN_FLIGHT {
                    in_flight -= 1;
                    if !drain_one(&mut consume)? {
                        in_flight = 0;
                    }
                }
            }
            Ok(())
        });
        let finish = read_result.and_then(|()| {
            if !pending.is_empty() && to_helper.send(std::mem::take(&mut pending)).is_ok() {
                in_flight += 1;
            }
            while in_flight > 0 {
                in_flight -= 1;
                if !drain_one(&mut consume)? {
                    break;
                }
            }
            Ok(())
        });
        // Closing the channel ends the helper's loop, also after an error.
        drop(to_helper);
        finish
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(n: u64, fail_at: Option<u64>) -> (Vec<u64>, Result<(), String>) {
        let mut seen = Vec::new();
        let result = read_map_consume(
            |sink| (0..n).try_for_each(&mut *sink),
            |x| x * 3,
            |y| {
                if Some(y / 3) == fail_at {
                    return Err(format!("stop at {y}"));
                }
                seen.push(y);
                Ok(())
            },
        );
        (seen, result)
    }

    #[test]
    fn results_arrive_in_input_order_across_chunk_edges() {
        for n in [0, 1, CHUNK as u64 - 1, CHUNK as u64, 5 * CHUNK as u64 + 7] {
            let (seen, result) = run(n, None);
            assert_eq!(result, Ok(()));
            assert_eq!(seen, (0..n).map(|x| x * 3).collect::<Vec<_>>(), "n = {n}");
        }
    }

    #[test]
    fn an_error_stops_the_pass_and_keeps_what_came_before() {
        let (seen, result) = run(10_000, Some(3_000));
        assert_eq!(result, Err("stop at 9000".to_owned()));
        assert_eq!(seen.len(), 3_000);
        assert_eq!(seen.last(), Some(&(2_999 * 3)));
    }

    #[test]
    fn a_read_error_is_returned_after_earlier_items_are_consumed() {
        let mut seen = 0;
        let result: Result<(), &str> = read_map_consume(
            |sink| {
                for x in 0..2_500u32 {
                    sink(x)?;
                }
                Err("disk gone")
            },
            |x| x,
            |_| {
                seen += 1;
                Ok(())
            },
        );
        assert_eq!(result, Err("disk gone"));
        // Items pushed before the failure may or may not have been consumed, never more.
        assert!(seen <= 2_500);
    }
}
