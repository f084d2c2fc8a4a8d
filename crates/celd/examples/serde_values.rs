//! Rust values in and out of CEL with serde: a `Pod` goes in as a variable, rules read its
//! fields, and results come back as Rust types.
//!
//! `cargo run -p celd --example serde_values`

use std::collections::BTreeMap;

use celd::{Env, Type};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Pod {
    name: String,
    replicas: u32,
    labels: BTreeMap<String, String>,
    containers: Vec<Container>,
}

#[derive(Serialize)]
struct Container {
    image: String,
    memory_mib: u64,
}

/// What a rule computes, read back out of the CEL result.
#[derive(Deserialize, Debug, PartialEq)]
struct Summary {
    name: String,
    total_memory_mib: u64,
    images: Vec<String>,
}

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = Env::builder()
        .variable("pod", Type::map(Type::String, Type::Dyn))
        .build()?;
    let pod = Pod {
        name: "web-1".into(),
        replicas: 3,
        labels: BTreeMap::from([("app".into(), "web".into())]),
        containers: vec![
            Container {
                image: "nginx:1.27".into(),
                memory_mib: 256,
            },
            Container {
                image: "envoy:1.31".into(),
                memory_mib: 128,
            },
        ],
    };
    let mut vars = env.activation();
    // u32 and u64 fields become CEL `uint`s, structs and maps become maps.
    vars.insert_serialize("pod", &pod)?;

    let doubled = env.compile("pod.replicas * 2u")?.eval(&vars)?;
    let doubled: u32 = celd::from_value(&doubled)?;
    println!("pod.replicas * 2u = {doubled}");
    assert_eq!(doubled, 6);

    let rule = "pod.labels.app == 'web' && pod.containers.all(c, c.memory_mib <= 512u)";
    let allowed = env.compile(rule)?.eval(&vars)?;
    println!("{rule} = {allowed}");
    assert!(bool::try_from(allowed)?);

    let summary = env.compile(
        "{'name': pod.name,
          'total_memory_mib': pod.containers[0].memory_mib + pod.containers[1].memory_mib,
          'images': pod.containers.map(c, c.image)}",
    )?;
    let summary: Summary = celd::from_value(&summary.eval(&vars)?)?;
    println!("{summary:?}");
    assert_eq!(
        summary,
        Summary {
            name: "web-1".into(),
            total_memory_mib: 384,
            images: vec!["nginx:1.27".into(), "envoy:1.31".into()],
        }
    );

    // A result that does not fit the Rust type says where and why.
    let negative = env.compile("{'replicas': -1}")?.eval(&vars)?;
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Replicas {
        replicas: u32,
    }
    let error = celd::from_value::<Replicas>(&negative).unwrap_err();
    println!("{error}");
    assert_eq!(
        error.to_string(),
        ".replicas: invalid value: integer `-1`, expected u32"
    );
    Ok(())
}
