//! Points of a short Weierstrass curve y^2 = x^3 - 3x + b over a [`Field`], in Jacobian
//! coordinates (X : Y : Z) for (X/Z^2, Y/Z^3), Z = 0 for the point at infinity.
//!
//! Formulas from the Explicit-Formulas Database (Bernstein–Lange,
//! hyperelliptic.org/EFD/g1p/auto-shortw-jacobian-3.html), each named below. They are not
//! complete: the exceptional cases (an input at infinity, P = ±Q in an addition) are
//! detected and handled explicitly, which is sound here because verification is
//! variable-time on public data.

use super::field::Field;

/// An affine point, never the point at infinity.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Affine<F: Field> {
    /// x coordinate.
    pub x: F,
    /// y coordinate.
    pub y: F,
}

/// A point in Jacobian coordinates.
#[derive(Clone, Copy, Debug)]
pub struct Jacobian<F: Field> {
    /// X.
    pub x: F,
    /// Y.
    pub y: F,
    /// Z (0 at infinity).
    pub z: F,
}

impl<F: Field> Affine<F> {
    /// True when y^2 = x^3 - 3x + b (SEC 1 v2 §3.2.2.1 step 3, with a = -3).
    pub fn is_on_curve(&self, b: &F) -> bool {
        let x2 = self.x.square();
        let rhs = x2.mul(&self.x).sub(&self.x.double().add(&self.x)).add(b);
        self.y.square() == rhs
    }

    /// -P = (x, -y).
    pub fn neg(&self) -> Self {
        Affine { x: self.x, y: self.y.neg() }
    }
}

impl<F: Field> Jacobian<F> {
    /// The point at infinity (1 : 1 : 0).
    pub fn identity() -> Self {
        Jacobian { x: F::one(), y: F::one(), z: F::zero() }
    }

    /// (x : y : 1).
    pub fn from_affine(p: &Affine<F>) -> Self {
        Jacobian { x: p.x, y: p.y, z: F::one() }
    }

    /// True for the point at infinity.
    pub fn is_identity(&self) -> bool {
        self.z.is_zero()
    }

    /// -P = (X : -Y : Z).
    pub fn neg(&self) -> Self {
        Jacobian { x: self.x, y: self.y.neg(), z: self.z }
    }

    /// 2P, "dbl-2001-b" (a = -3; 3M + 5S):
    /// delta = Z1^2, gamma = Y1^2, beta = X1 gamma, alpha = 3 (X1 - delta)(X1 + delta),
    /// X3 = alpha^2 - 8 beta, Z3 = (Y1 + Z1)^2 - gamma - delta,
    /// Y3 = alpha (4 beta - X3) - 8 gamma^2.
    /// Also right for P at infinity (Z3 = 0) and for 2-torsion (none on these curves).
    pub fn double(&self) -> Self {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        let t = self.x.sub(&delta).mul(&self.x.add(&delta));
        let alpha = t.double().add(&t);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let z3 = self.y.add(&self.z).square().sub(&gamma).sub(&delta);
        let g2 = gamma.square();
        let g8 = g2.double().double().double();
        let y3 = alpha.mul(&beta4.sub(&x3)).sub(&g8);
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// P + Q for affine Q, "madd-2007-bl" (7M + 4S):
    /// Z1Z1 = Z1^2, U2 = X2 Z1Z1, S2 = Y2 Z1 Z1Z1, H = U2 - X1, HH = H^2, I = 4 HH, J = H I,
    /// r = 2 (S2 - Y1), V = X1 I, X3 = r^2 - J - 2V, Y3 = r (V - X3) - 2 Y1 J,
    /// Z3 = (Z1 + H)^2 - Z1Z1 - HH.
    /// H = 0 means x(P) = x(Q): then P = Q (double) or P = -Q (infinity).
    pub fn add_affine(&self, q: &Affine<F>) -> Self {
        if self.is_identity() {
            return Jacobian::from_affine(q);
        }
        let z1z1 = self.z.square();
        let u2 = q.x.mul(&z1z1);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let r = s2.sub(&self.y).double();
        if h.is_zero() {
            return if r.is_zero() { self.double() } else { Jacobian::identity() };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h.mul(&i);
        let v = self.x.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&self.y.mul(&j).double());
        let z3 = self.z.add(&h).square().sub(&z1z1).sub(&hh);
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// P + Q, "add-2007-bl" (11M + 5S):
    /// Z1Z1 = Z1^2, Z2Z2 = Z2^2, U1 = X1 Z2Z2, U2 = X2 Z1Z1, S1 = Y1 Z2 Z2Z2, S2 = Y2 Z1 Z1Z1,
    /// H = U2 - U1, I = (2H)^2, J = H I, r = 2 (S2 - S1), V = U1 I, X3 = r^2 - J - 2V,
    /// Y3 = r (V - X3) - 2 S1 J, Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H.
    pub fn add(&self, q: &Self) -> Self {
        if self.is_identity() {
            return *q;
        }
        if q.is_identity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = q.x.mul(&z1z1);
        let s1 = self.y.mul(&q.z).mul(&z2z2);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r = s2.sub(&s1).double();
        if h.is_zero() {
            return if r.is_zero() { self.double() } else { Jacobian::identity() };
        }
        let i = h.double().square();
        let j = h.mul(&i);
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = self.z.add(&q.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// The affine point, `None` at infinity (one inversion).
    pub fn to_affine(&self) -> Option<Affine<F>> {
        if self.is_identity() {
            return None;
        }
        let zi = self.z.invert();
        let zi2 = zi.square();
        Some(Affine { x: self.x.mul(&zi2), y: self.y.mul(&zi2).mul(&zi) })
    }

    /// Points as affine with one shared inversion (Montgomery's trick); `None` if any
    /// is at infinity or memory runs out.
    pub fn batch_to_affine(points: &[Self]) -> Option<Vec<Affine<F>>> {
        if points.iter().any(|p| p.is_identity()) {
            return None;
        }
        // prefix[i] = z_0 ... z_{i-1}
        let mut prefix = Vec::new();
        let mut out = Vec::new();
        if prefix.try_reserve_exact(points.len()).is_err() || out.try_reserve_exact(points.len()).is_err() {
            return None; // out of memory
        }
        let mut acc = F::one();
        for p in points {
            prefix.push(acc);
            acc = acc.mul(&p.z);
        }
        let mut inv = acc.invert(); // (z_0 ... z_{n-1})^-1
        out.resize(points.len(), Affine { x: F::zero(), y: F::zero() });
        for i in (0..points.len()).rev() {
            let zi = inv.mul(&prefix[i]); // z_i^-1
            inv = inv.mul(&points[i].z);
            let zi2 = zi.square();
            out[i] = Affine { x: points[i].x.mul(&zi2), y: points[i].y.mul(&zi2).mul(&zi) };
        }
        Some(out)
    }
}
